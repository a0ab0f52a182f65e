"""Every batch engine gives the same eligibility matrix as the live Python closures.

Random rules over random customers (NULLs, edge values, holdings) run through each
engine's own path: DuckDB over the Arrow batch table, PostgreSQL pushdown over the JSON
profiles of servesell's own ``customers`` table, and Spark over a DataFrame in the batch
layout. Both the matrix (NULL is not eligible) and the raw three-valued answers agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete

from servesell.batch.spark import batch_layout, tag_frame
from servesell.domain import Customer
from servesell.rules import compile_rule
from servesell.rules.batch import tag_table
from servesell.rules.layout import customers_to_arrow
from servesell.store import open_db, save_schema, upsert_customers
from servesell.store.pushdown import iter_matrix
from servesell.store.tables import customers as customers_table
from support.postgres import fresh_database
from support.rule_strategies import agreement_settings, customer_lists, rules
from support.rules import TODAY, rules_schema

SCHEMA = rules_schema()
catalogs = st.lists(rules, min_size=1, max_size=3)


@pytest.fixture(scope="module")
def pg_store(pg_server: str) -> Iterator[Any]:
    engine = open_db(fresh_database(pg_server))
    with engine.begin() as conn:
        save_schema(conn, SCHEMA)
    yield engine
    engine.dispose()


def _expected(compiled: dict[str, Any], people: list[Customer], *, folded: bool) -> list[dict]:
    rows = []
    for person in people:
        answers = {o: rule(person, TODAY) for o, rule in compiled.items()}
        if folded:
            answers = {o: answer is True for o, answer in answers.items()}
        rows.append({"id": person.id, **answers})
    return sorted(rows, key=lambda r: r["id"])


def _rows(table: pa.Table) -> list[dict]:
    return sorted(table.to_pylist(), key=lambda r: r["id"])


def _postgres(engine: Any, compiled: dict, people: list[Customer], folded: bool) -> list[dict]:
    with engine.connect() as conn, conn.begin() as transaction:
        conn.execute(delete(customers_table))
        upsert_customers(conn, people)
        parts = list(iter_matrix(conn, compiled, SCHEMA, today=TODAY, three_valued=not folded))
        transaction.rollback()
    return _rows(pa.concat_tables(parts))


def _spark(spark: Any, compiled: dict, people: list[Customer], folded: bool) -> list[dict]:
    frame = spark.createDataFrame(customers_to_arrow(people, SCHEMA))
    customers = batch_layout(frame, SCHEMA, where="test")
    return _rows(
        tag_frame(spark, customers, compiled, today=TODAY, three_valued=not folded).toArrow()
    )


@pytest.mark.slow
@agreement_settings(40)
@given(texts=catalogs, people=customer_lists(), folded=st.booleans())
def test_every_engine_gives_the_python_matrix(
    pg_store: Any, spark: Any, texts: list[str], people: list[Customer], folded: bool
) -> None:
    compiled = {f"offer-{i}": compile_rule(text, SCHEMA) for i, text in enumerate(texts)}
    expected = _expected(compiled, people, folded=folded)
    table = customers_to_arrow(people, SCHEMA)
    assert _rows(tag_table(table, compiled, today=TODAY, three_valued=not folded)) == expected
    assert _postgres(pg_store, compiled, people, folded) == expected, "postgres"
    assert _spark(spark, compiled, people, folded) == expected, "spark"
