"""The eligibility matrix through DuckDB and through Python, and the batch table layout."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from servesell.domain import Customer, ProfileSchema
from servesell.rules import compile_rule
from servesell.rules.batch import (
    count_eligible,
    eligibility_sql,
    eligible_pairs,
    tag_in_python,
    tag_table,
)
from servesell.rules.layout import arrow_schema, customers_to_arrow
from servesell.rules.tagging import run_tagging
from support.rules import TODAY

PEOPLE = [
    Customer("a", {"age": 30, "segment": "mass"}, frozenset({"card"})),
    Customer("b", {"age": None, "segment": "affluent"}),
    Customer("c", {"age": 70, "opened_on": dt.date(2020, 1, 1)}),
]


@pytest.fixture
def rules(schema: ProfileSchema) -> dict[str, object]:
    return {
        "adult": compile_rule("age >= 18", schema),
        "no-card.v2": compile_rule("NOT holds('card')", schema),
        "veteran": compile_rule("days_since(opened_on) > 365", schema),
    }


def test_layout_has_typed_columns_and_holdings(schema: ProfileSchema) -> None:
    layout = arrow_schema(schema)
    assert layout.field("age").type == pa.int64()
    assert layout.field("opened_on").type == pa.date32()
    assert layout.field("holdings").type == pa.list_(pa.string())
    table = customers_to_arrow(PEOPLE, schema)
    assert table.column("holdings").to_pylist() == [["card"], [], []]


def test_duckdb_and_python_give_the_same_matrix(schema: ProfileSchema, rules) -> None:
    table = customers_to_arrow(PEOPLE, schema)
    by_duckdb = tag_table(table, rules, today=TODAY)
    by_python = tag_in_python(PEOPLE, rules, today=TODAY)
    assert by_duckdb.to_pylist() == by_python.to_pylist()
    assert by_duckdb.to_pylist()[1] == {
        "id": "b",
        "adult": False,
        "no-card.v2": True,
        "veteran": False,
    }


def test_three_valued_matrix_keeps_null(schema: ProfileSchema, rules) -> None:
    table = customers_to_arrow(PEOPLE, schema)
    matrix = tag_table(table, rules, today=TODAY, three_valued=True)
    assert matrix.column("adult").to_pylist() == [True, None, True]


def test_pairs_and_counts(schema: ProfileSchema, rules) -> None:
    matrix = tag_in_python(PEOPLE, rules, today=TODAY)
    assert sorted(eligible_pairs(matrix)) == [
        ("a", "adult"),
        ("b", "no-card.v2"),
        ("c", "adult"),
        ("c", "no-card.v2"),
        ("c", "veteran"),
    ]
    assert count_eligible(matrix) == {"adult": 2, "no-card.v2": 2, "veteran": 1}


def test_the_matrix_query_quotes_offer_ids(rules) -> None:
    sql = eligibility_sql(rules, today=TODAY, dialect="spark")
    assert sql.startswith("SELECT `id`, COALESCE(")
    assert "AS `no-card.v2`" in sql


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_a_run_feeds_every_batch_to_the_sinks(schema: ProfileSchema, rules, engine) -> None:
    seen: list[int] = []
    progressed: list[int] = []
    run = run_tagging(
        [PEOPLE[:2], PEOPLE[2:]],
        rules,
        schema,
        as_of=TODAY,
        engine=engine,
        sinks=[lambda m: seen.append(m.num_rows)],
        progress=progressed.append,
    )
    assert seen == [2, 1] == progressed
    assert run.customers == 3
    assert run.eligible == {"adult": 2, "no-card.v2": 2, "veteran": 1}


def test_an_unknown_engine_is_refused(schema: ProfileSchema, rules) -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        run_tagging([PEOPLE], rules, schema, as_of=TODAY, engine="spark")  # type: ignore[arg-type]
