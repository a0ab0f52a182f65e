"""``servesell rules check`` and ``servesell tag`` from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from servesell.cli import app
from servesell.store import (
    save_schema,
    tag_counts,
    tagged_customers,
    upsert_customers,
    upsert_offers,
)
from support.decide import SCHEMA, customer, offer

runner = CliRunner()
AS_OF = "2026-03-02"


@pytest.fixture
def store(engine: Engine) -> Engine:
    with engine.begin() as conn:
        save_schema(conn, SCHEMA)
        upsert_offers(
            conn,
            [
                offer("rich", rule="credit_limit >= 10000"),
                offer("young", rule="age < 30 AND NOT holds('card')"),
                offer("old", rule="opened_on < CURRENT_DATE - INTERVAL '1' YEAR"),
                offer("retired", rule="TRUE", status="retired"),
            ],
        )
        upsert_customers(
            conn,
            [
                customer("C1", attributes={"credit_limit": 20000.0, "age": 25}),
                customer("C2", attributes={"age": 25}, holdings=frozenset({"card"})),
                customer("C3", attributes={"age": None, "opened_on": dt.date(2026, 1, 1)}),
            ],
        )
    return engine


def test_check_lists_every_invalid_rule_with_line_offer_and_caret(tmp_path: Path) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_text("age: int\ncredit_limit: float\n")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "offers:\n"
        "  - id: a\n    rule: credit_limt >= 5000\n"
        "  - id: b\n    rule: age > 1\n"
        "  - id: c\n    rule: age > 1; DROP TABLE customers\n"
        "  - id: d\n"
    )
    result = runner.invoke(app, ["rules", "check", str(catalog), "--schema", str(schema)])
    assert result.exit_code == 1
    assert "catalog.yaml:2, offer 'a', position 0: unknown field 'credit_limt'" in result.output
    assert "did you mean 'credit_limit'" in result.output
    assert "catalog.yaml:6, offer 'c', position 7: ';' is not allowed" in result.output
    assert "offer 'd': the offer has no rule" in result.output
    assert "4 rules checked, 3 invalid" in result.output


def test_check_of_a_valid_catalog_uses_the_database_schema(store: Engine, db_url: str) -> None:
    catalog = Path(__file__).parents[2] / "src/servesell/synth/data/bank_catalog.yaml"
    schema = catalog.with_name("bank_schema.yaml")
    result = runner.invoke(app, ["rules", "check", str(catalog), "--schema", str(schema)])
    assert result.exit_code == 0, result.output
    assert "10 rules checked, 0 invalid" in result.output


def test_check_refuses_a_file_that_is_not_a_catalog(tmp_path: Path, db_url: str) -> None:
    catalog = tmp_path / "c.yaml"
    catalog.write_text("just: text\n")
    schema = tmp_path / "s.yaml"
    schema.write_text("age: int\n")
    result = runner.invoke(app, ["rules", "check", str(catalog), "--schema", str(schema)])
    assert result.exit_code == 2
    assert "expected a list of offers" in result.output


def test_tag_stores_the_eligible_pairs_of_active_offers(store: Engine, db_url: str) -> None:
    result = runner.invoke(app, ["tag", "--db", db_url, "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert "tagged 3 customers for 3 offers" in result.output
    with store.connect() as conn:
        assert tag_counts(conn) == {"old": 2, "rich": 1, "young": 1}
        assert tagged_customers(conn, "young") == ["C1"]
        assert tagged_customers(conn, "old") == ["C1", "C2"]


def test_a_second_run_replaces_the_tags(store: Engine, db_url: str) -> None:
    runner.invoke(app, ["tag", "--db", db_url, "--as-of", AS_OF])
    result = runner.invoke(app, ["tag", "--db", db_url, "--as-of", "2019-01-01"])
    assert result.exit_code == 0, result.output
    with store.connect() as conn:
        assert "old" not in tag_counts(conn)


@pytest.mark.parametrize("engine_name", ["duckdb", "python"])
def test_tag_writes_the_matrix_to_parquet(
    store: Engine, db_url: str, tmp_path: Path, engine_name: str
) -> None:
    out = tmp_path / "tags.parquet"
    args = ["tag", "--db", db_url, "--as-of", AS_OF, "--engine", engine_name, "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in pq.read_table(out).to_pylist()}
    assert rows["C1"] == {"id": "C1", "rich": True, "young": True, "old": True}
    assert rows["C3"] == {"id": "C3", "rich": False, "young": False, "old": False}


def test_tag_reads_customers_from_a_file(store: Engine, db_url: str, tmp_path: Path) -> None:
    data = tmp_path / "c.csv"
    data.write_text(
        "id,age,credit_limit,segment,opened_on,holdings\n"
        "F1,20,50000,mass,2020-01-01,\n"
        "F2,20,1,mass,2020-01-01,card\n"
        "F3,old,1,mass,2020-01-01,\n"
    )
    out = tmp_path / "tags.parquet"
    args = ["tag", "--db", db_url, "--as-of", AS_OF, "--customers", str(data), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "1 rows of" in result.output
    rows = pq.read_table(out).to_pylist()
    assert [(r["id"], r["rich"], r["young"]) for r in rows] == [
        ("F1", True, True),
        ("F2", False, False),
    ]


def test_tag_refuses_an_unknown_engine(store: Engine, db_url: str) -> None:
    result = runner.invoke(app, ["tag", "--db", db_url, "--engine", "hadoop"])
    assert result.exit_code == 2
    assert "unknown engine" in result.output


def test_tag_names_the_offer_whose_rule_is_broken(store: Engine, db_url: str) -> None:
    with store.begin() as conn:
        upsert_offers(conn, [offer("broken", rule="agee > 1")])
    result = runner.invoke(app, ["tag", "--db", db_url, "--as-of", AS_OF])
    assert result.exit_code == 2
    assert "offer 'broken'" in result.output


def test_tag_of_an_empty_store_writes_an_empty_matrix(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        save_schema(conn, SCHEMA)
        upsert_offers(conn, [offer("rich", rule="credit_limit >= 10000")])
    out = tmp_path / "tags.parquet"
    result = runner.invoke(app, ["tag", "--db", db_url, "--as-of", AS_OF, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).column_names == ["id", "rich"]
    assert "tagged 0 customers" in result.output
