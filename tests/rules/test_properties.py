"""The claim of the rule language: Python and DuckDB give the same answer on every row."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servesell.domain import Customer
from servesell.errors import RuleError
from servesell.rules import compile_rule
from servesell.rules.batch import tag_table
from servesell.rules.layout import customers_to_arrow
from support.rule_strategies import agreement_settings, customer_lists, rules, sql_text
from support.rules import TODAY, rules_schema

SCHEMA = rules_schema()


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


def duckdb_answers(
    con: duckdb.DuckDBPyConnection, text: str, people: list[Customer]
) -> list[bool | None]:
    rule = compile_rule(text, SCHEMA)
    table = customers_to_arrow(people, SCHEMA)
    matrix = tag_table(table, {"r": rule}, today=TODAY, con=con, three_valued=True)
    return list(matrix.column("r").to_pylist())


@pytest.mark.slow
@agreement_settings(400)
@given(text=rules, people=customer_lists())
def test_python_and_duckdb_agree_on_every_row(
    con: duckdb.DuckDBPyConnection, text: str, people: list[Customer]
) -> None:
    rule = compile_rule(text, SCHEMA)
    expected = [rule(person, TODAY) for person in people]
    assert duckdb_answers(con, text, people) == expected, rule.sql(today=TODAY)


@pytest.mark.slow
@agreement_settings(200)
@given(first=rules, second=rules, people=customer_lists())
def test_the_folded_matrix_is_the_python_rule_is_true_on_every_row(
    con: duckdb.DuckDBPyConnection, first: str, second: str, people: list[Customer]
) -> None:
    """The two-valued batch query (IS TRUE pushed to the conditions, shared tests) agrees."""
    texts = {
        "a": first,
        "not_a": f"NOT ({first})",
        "a_and_b": f"({first}) AND ({second})",
        "not_a_or_b": f"NOT (({first}) OR NOT ({second}))",
        "b": second,
    }
    compiled = {name: compile_rule(text, SCHEMA) for name, text in texts.items()}
    matrix = tag_table(customers_to_arrow(people, SCHEMA), compiled, today=TODAY, con=con)
    for name, rule in compiled.items():
        expected = [rule(person, TODAY) is True for person in people]
        assert matrix.column(name).to_pylist() == expected, (name, rule.sql(today=TODAY))


@given(text=st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_any_text_either_compiles_or_is_a_rule_error(text: str) -> None:
    error: RuleError | None = None
    try:
        compile_rule(text, SCHEMA)
    except RuleError as exc:
        error = exc
    if error is not None:
        assert error.rule == text
        assert error.position is None or 0 <= error.position <= len(text)


INJECTIONS = [
    "1=1; DROP TABLE customers",
    "age > 1; DELETE FROM customers",
    "age > 1 -- AND segment = 'x'",
    "age > 1 /* */ OR TRUE",
    "age > 1 OR 1=1 --",
    "segment = '' OR ''=''; DROP TABLE customers; --'",
    "segment = 'x'); DROP TABLE customers; --",
    "(SELECT count(*) FROM customers) > 0",
    "age IN (SELECT age FROM customers)",
    "EXISTS (SELECT 1 FROM customers)",
    "segment = current_setting('x')",
    "holds('a'); COPY customers TO '/tmp/x'",
    "age > 1 UNION SELECT 1",
    "read_csv('/etc/passwd') IS NULL",
    'segment = "segment"; --',
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_attempts_are_rejected_before_any_database(text: str) -> None:
    with pytest.raises(RuleError):
        compile_rule(text, SCHEMA)


@given(payload=st.text(max_size=30))
@settings(max_examples=150, deadline=None)
def test_quotes_and_sql_inside_a_literal_stay_a_literal(payload: str) -> None:
    payload = payload.replace("\x00", "")
    text = f"segment = {sql_text(payload)}"
    rule = compile_rule(text, SCHEMA)
    people = [
        Customer("same", {"segment": payload}),
        Customer("other", {"segment": payload + "x"}),
    ]
    with duckdb.connect() as con:
        con.execute("CREATE TABLE keep (x INTEGER)")
        assert duckdb_answers(con, text, people) == [True, False]
        assert con.execute("SELECT count(*) FROM keep").fetchone() == (0,)
    assert rule(people[0], TODAY) is True
