"""The same rules on a real PostgreSQL server give the same answers as Python.

The text columns use ICU's root collation on purpose: the rendered SQL must force
code-point order itself rather than rely on the database's default collation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given

from servesell.domain import Customer
from servesell.rules import compile_rule
from servesell.rules.batch import eligibility_sql, tag_in_python
from support.postgres import fresh_database
from support.rule_strategies import agreement_settings, customer_lists, rules
from support.rules import TODAY, rules_schema

SCHEMA = rules_schema()
_PG_TYPES = {"int": "BIGINT", "float": "DOUBLE PRECISION", "str": "TEXT", "bool": "BOOLEAN"}


@pytest.fixture(scope="module")
def pg(pg_server: str) -> Iterator[Any]:
    import psycopg

    url = fresh_database(pg_server).replace("postgresql+psycopg://", "postgresql://")
    conn = psycopg.connect(url, autocommit=True)
    collation = _icu_collation(conn)
    columns = [
        f'"{spec.name}" {_PG_TYPES.get(spec.type.value, "DATE")}'
        + (f' COLLATE "{collation}"' if spec.type.value == "str" and collation else "")
        for spec in SCHEMA.fields
    ]
    conn.execute(f"CREATE TABLE customers (id TEXT, {', '.join(columns)}, holdings TEXT[])")
    yield conn
    conn.close()


def _icu_collation(conn: Any) -> str | None:
    row = conn.execute("SELECT collname FROM pg_collation WHERE collname = 'und-x-icu'").fetchone()
    return None if row is None else str(row[0])


def load(conn: Any, people: list[Customer]) -> None:
    names = ["id", *SCHEMA.names, "holdings"]
    marks = ", ".join(["%s"] * len(names))
    quoted = ", ".join(f'"{n}"' for n in names)
    conn.execute("DELETE FROM customers")
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO customers ({quoted}) VALUES ({marks})",
            [
                [p.id, *(p.attributes.get(n) for n in SCHEMA.names), sorted(p.holdings)]
                for p in people
            ],
        )


def postgres_answers(conn: Any, text: str, people: list[Customer]) -> list[bool | None]:
    rule = compile_rule(text, SCHEMA)
    with conn.transaction():
        load(conn, people)
        sql = f"SELECT id, {rule.sql('postgres', today=TODAY)} FROM customers"
        answers = dict(conn.execute(sql).fetchall())
    return [answers[p.id] for p in people]


@pytest.mark.slow
@agreement_settings(150)
@given(text=rules, people=customer_lists())
def test_python_and_postgresql_agree_on_every_row(
    pg: Any, text: str, people: list[Customer]
) -> None:
    rule = compile_rule(text, SCHEMA)
    expected = [rule(person, TODAY) for person in people]
    assert postgres_answers(pg, text, people) == expected, rule.sql("postgres", today=TODAY)


def test_text_order_is_code_point_order_whatever_the_collation(pg: Any) -> None:
    people = [Customer("upper", {"segment": "B"}), Customer("accent", {"segment": "é"})]
    assert postgres_answers(pg, "segment < 'a'", people) == [True, False]
    assert postgres_answers(pg, "segment > 'z'", people) == [False, True]


def test_the_eligibility_matrix_query_runs_on_postgresql(pg: Any) -> None:
    rules = {
        "adult": compile_rule("age >= 18", SCHEMA),
        "no-card": compile_rule("NOT holds('card') AND segment < 'b'", SCHEMA),
        "adult-card": compile_rule("age >= 18 AND holds('card')", SCHEMA),
        "neither": compile_rule("NOT (age >= 18 OR holds('card'))", SCHEMA),
        "not-both": compile_rule("NOT (age >= 18 AND segment < 'b')", SCHEMA),
    }
    people = [
        Customer("a", {"age": 30, "segment": "B"}, frozenset({"card"})),
        Customer("b", {"age": None, "segment": "a"}),
        Customer("c", {"age": 12, "segment": None}),
        Customer("d", {"age": 40, "segment": "c"}),
    ]
    with pg.transaction():
        load(pg, people)
        cursor = pg.execute(eligibility_sql(rules, today=TODAY, dialect="postgres"))
        columns = [column.name for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    assert (
        sorted(rows, key=lambda r: r["id"]) == tag_in_python(people, rules, today=TODAY).to_pylist()
    )


def test_rules_at_the_nesting_limit_run_on_postgresql(pg: Any) -> None:
    from support.deep_rules import SHAPES, at_limit

    people = [Customer("a", {"age": 3}), Customer("b", {"age": None}), Customer("c", {"age": -4})]
    for shape in SHAPES:
        text = at_limit(shape)
        rule = compile_rule(text, SCHEMA)
        assert postgres_answers(pg, text, people) == [rule(p, TODAY) for p in people], shape
