"""``servesell tag --engine duckdb|postgres|spark`` give the same matrix and the same tags."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from servesell.cli import app
from servesell.rules.layout import customers_to_arrow
from servesell.store import (
    open_db,
    save_schema,
    tag_counts,
    tagged_customers,
    upsert_customers,
    upsert_offers,
)
from support.decide import SCHEMA, customer, offer

runner = CliRunner()
AS_OF = "2026-03-02"
PEOPLE = [
    customer("C1", attributes={"credit_limit": 20000.0, "age": 25, "segment": "50%"}),
    customer("C2", attributes={"age": 25}, holdings=frozenset({"card"})),
    customer("C3", attributes={"age": None, "opened_on": dt.date(2026, 1, 1), "segment": None}),
    customer("C4", attributes={"credit_limit": None, "age": 70, "segment": "a:b"}),
]
EXPECTED = {
    "C1": {"rich": True, "young": True, "old": True, "pct": True},
    "C2": {"rich": False, "young": False, "old": True, "pct": False},
    "C3": {"rich": False, "young": False, "old": False, "pct": False},
    "C4": {"rich": False, "young": False, "old": True, "pct": False},
}


def _fill(url: str) -> str:
    engine = open_db(url)
    with engine.begin() as conn:
        save_schema(conn, SCHEMA)
        upsert_offers(
            conn,
            [
                offer("rich", rule="credit_limit >= 10000"),
                offer("young", rule="age < 30 AND NOT holds('card')"),
                offer("old", rule="opened_on < CURRENT_DATE - INTERVAL '1' YEAR"),
                offer("pct", rule="segment LIKE '%!%' ESCAPE '!' OR segment = ':x'"),
                offer("retired", rule="TRUE", status="retired"),
            ],
        )
        upsert_customers(conn, PEOPLE)
    engine.dispose()
    return url


@pytest.fixture
def pg_store(pg_server: str) -> str:
    from support.postgres import fresh_database

    return _fill(fresh_database(pg_server))


@pytest.fixture
def sqlite_store(db_url: str) -> str:
    return _fill(db_url)


@pytest.fixture
def layout_file(tmp_path: Path) -> Path:
    path = tmp_path / "customers.parquet"
    pq.write_table(customers_to_arrow(PEOPLE, SCHEMA), path)
    return path


def _tag(url: str, *args: str) -> Any:
    result = runner.invoke(app, ["tag", "--db", url, "--as-of", AS_OF, *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def _matrix(path: Path) -> dict[str, dict[str, bool]]:
    return {row.pop("id"): row for row in pq.read_table(path).to_pylist()}


def test_postgres_engine_tags_inside_the_database(pg_store: str, tmp_path: Path) -> None:
    result = _tag(pg_store, "--engine", "postgres")
    assert "tagged 4 customers for 4 offers into the tags table" in result.output
    engine = open_db(pg_store)
    with engine.connect() as conn:
        assert tag_counts(conn) == {"old": 3, "pct": 1, "rich": 1, "young": 1}
        assert tagged_customers(conn, "old") == ["C1", "C2", "C4"]
    engine.dispose()
    _tag(pg_store, "--engine", "postgres", "--out", str(tmp_path / "m.parquet"))
    assert _matrix(tmp_path / "m.parquet") == EXPECTED


def test_postgres_engine_refuses_sqlite_with_a_message(sqlite_store: str) -> None:
    result = runner.invoke(app, ["tag", "--db", sqlite_store, "--engine", "postgres"])
    assert result.exit_code == 2
    assert "runs inside PostgreSQL; this database is sqlite" in result.output


def test_duckdb_reads_a_batch_layout_file_directly(sqlite_store: str, layout_file: Path) -> None:
    out = layout_file.with_name("m.parquet")
    result = _tag(sqlite_store, "--customers", str(layout_file), "--out", str(out))
    assert "tagged 4 customers" in result.output
    assert _matrix(out) == EXPECTED
    _tag(sqlite_store, "--customers", str(layout_file))
    engine = open_db(sqlite_store)
    with engine.connect() as conn:
        assert tag_counts(conn) == {"old": 3, "pct": 1, "rich": 1, "young": 1}
    engine.dispose()


def test_spark_engine_tags_parquet_into_a_parquet_folder(
    spark: Any, sqlite_store: str, layout_file: Path
) -> None:
    out = layout_file.with_name("matrix")
    result = _tag(
        sqlite_store, "--engine", "spark", "--customers", str(layout_file), "--out", str(out)
    )
    assert "tagged 4 customers for 4 offers" in result.output
    assert _matrix(out) == EXPECTED


def test_spark_engine_reads_the_store_over_jdbc(spark: Any, pg_store: str, tmp_path: Path) -> None:
    out = tmp_path / "matrix"
    _tag(pg_store, "--engine", "spark", "--out", str(out))
    assert _matrix(out) == EXPECTED


def test_spark_engine_needs_an_output_folder(sqlite_store: str, layout_file: Path) -> None:
    args = ["tag", "--db", sqlite_store, "--engine", "spark", "--customers", str(layout_file)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "give --out FOLDER" in result.output


def test_a_parquet_folder_in_another_layout_is_refused_by_column(
    sqlite_store: str, tmp_path: Path
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    table = customers_to_arrow(PEOPLE, SCHEMA)
    pq.write_table(
        table.set_column(1, "age", table.column("age").cast("string")), folder / "a.parquet"
    )
    result = runner.invoke(app, ["tag", "--db", sqlite_store, "--customers", str(folder)])
    assert result.exit_code == 2
    assert "column 'age' is string, expected int64" in result.output
