"""Bad input to the batch side: a clear message naming what and where, never a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from servesell.batch import missing_requirement, spark_session
from servesell.batch.duck import open_customers
from servesell.batch.export import export
from servesell.cli import app
from servesell.errors import ConfigError, InputFileError
from servesell.rules.layout import arrow_schema, layout_problems
from servesell.store import open_db
from support.rules import rules_schema

SCHEMA = rules_schema()
runner = CliRunner()


def test_export_of_an_unknown_table_is_refused(db_url: str, tmp_path: Path) -> None:
    engine = open_db(db_url)
    with pytest.raises(InputFileError, match="cannot export 'calls'; choose one of decisions"):
        export(engine, "calls", tmp_path, tz=dt.UTC)
    engine.dispose()


def test_a_missing_customer_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nope\.parquet: no such file or folder"):
        open_customers(tmp_path / "nope.parquet", SCHEMA)


def test_layout_problems_name_each_column_and_both_types() -> None:
    good = arrow_schema(SCHEMA)
    assert layout_problems(good, SCHEMA) == []
    widened = good.set(good.get_field_index("age"), pa.field("age", pa.int32()))
    assert layout_problems(widened, SCHEMA) == []
    bad = good.set(good.get_field_index("age"), pa.field("age", pa.string()))
    bad = bad.remove(bad.get_field_index("holdings"))
    assert layout_problems(bad, SCHEMA) == [
        "column 'age' is string, expected int64",
        "column 'holdings' is missing",
    ]


def test_spark_without_java_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert "openjdk-17-jre-headless" in (missing_requirement() or "")
    with pytest.raises(ConfigError, match="Spark needs Java 17"), spark_session("local[1]"):
        pass


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kpis", "--engine", "spark"], "--engine spark with --log FOLDER"),
        (["kpis", "--engine", "hive", "--log", "x"], "--engine spark with --log FOLDER"),
        (["model", "score", "--model", "m", "--customers", "c", "--out", "o", "--engine", "x"],
         "unknown engine 'x'"),
        (["export", "agents", "--out", "x"], "cannot export 'agents'"),
    ],
)  # fmt: skip
def test_cli_refuses_bad_batch_options(db_url: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, "--db", db_url])
    assert result.exit_code == 2, result.output
    assert message in result.output
