"""The exported log on Spark: partitions by day, the same KPIs as the database, batch scores.

The log comes from the demo (a synthetic bank's two days of calls played through the real
decision path) on SQLite and on PostgreSQL; the KPI figures are compared in full with
``servesell kpis`` on the database they were exported from.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from servesell.cli import app
from servesell.domain import CallContext
from servesell.ingest.modelfile import save_batch_model
from servesell.learn.batch import fit_batch
from servesell.learn.modelfile import BatchPropensity, customer_row
from servesell.service.demo import DemoConfig, run_demo
from servesell.store import iter_customers, open_db, require_schema
from support.learning import AT, make_offer
from support.postgres import fresh_database

pytestmark = pytest.mark.slow
runner = CliRunner()


GROUPS = (None, "day", "offer", "agent", "team", "hour")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'servesell.db'}"
    else:
        url = fresh_database(request.getfixturevalue("pg_server"))
    engine = open_db(url)
    run_demo(engine, DemoConfig(customers=1500, days=2, seed=3))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def exported(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("log")
    for what in ("decisions", "outcomes", "customers"):
        _cli("export", what, "--out", str(out), "--db", demo_db)
    return out


def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_export_writes_each_table_by_local_day(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "log"
    printed = _cli("export", "decisions", "--out", str(out), "--db", demo_db)
    assert "decision_candidates:" in printed
    days = sorted(p.name for p in (out / "decisions").iterdir())
    assert days == ["day=2026-03-02", "day=2026-03-03"]
    decisions = ds.dataset(out / "decisions", partitioning="hive").to_table()
    assert decisions.num_rows == int(printed.split("decisions: ")[1].split(" rows")[0])
    _cli("export", "customers", "--out", str(out), "--db", demo_db)
    customers = ds.dataset(out / "customers", partitioning="hive").to_table()
    assert customers.num_rows == 1500
    assert customers.schema.field("holdings").type.value_type == "string"


def test_kpis_on_spark_over_the_export_equal_the_database(
    spark: Any, demo_db: str, exported: Path
) -> None:
    for group_by in GROUPS:
        grouping = ["--group-by", group_by] if group_by else []
        window = ["--from", "2026-03-02", *grouping, "--json", "--db", demo_db]
        in_database = json.loads(_cli("kpis", *window))["rows"]
        on_spark = json.loads(_cli("kpis", *window, "--engine", "spark", "--log", str(exported)))
        assert in_database, "the demo logged no decisions"
        assert on_spark["rows"].keys() == in_database.keys(), group_by
        for group, figures in in_database.items():
            assert on_spark["rows"][group] == _rounded_alike(figures), (group_by, group)


def _rounded_alike(figures: dict[str, Any]) -> dict[str, Any]:
    """Counts and ratios exactly; rounded sums (seconds to 0.1, money to 0.01) within one unit.

    Both sides sum the same floats in a different order, so a sum can land on the other
    side of a rounding boundary (398.95 -> 399.0 or 398.9).
    """
    return {
        k: v if isinstance(v, int) or v is None else pytest.approx(v, abs=0.1001)
        for k, v in figures.items()
    }


def test_spark_needs_the_exported_outcomes(spark: Any, demo_db: str, exported: Path) -> None:
    out = exported / "only-decisions"
    out.mkdir()
    for table in ("decisions", "decision_candidates", "calls", "agents"):
        shutil.copytree(exported / table, out / table)
    args = ["kpis", "--engine", "spark", "--log", str(out), "--db", demo_db]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "no exported outcomes" in result.output


def _model(customers: list[Any], columns: list[str]) -> Any:
    frame = pd.concat([customer_row(c, columns) for c in customers], ignore_index=True)
    rich = frame["credit_limit"].astype(float).fillna(0) > 20_000
    noise = np.random.default_rng(0).random(len(frame)) < 0.2
    return fit_batch(frame, (rich ^ noise).to_numpy(int), seed=0, candidates=("lightgbm",))


@pytest.fixture(scope="module")
def trained(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A model fitted on 400 customers, and the live propensity of 200 of them."""
    db = open_db(demo_db)
    with db.connect() as conn:
        schema = require_schema(conn)
        people = list(iter_customers(conn, schema))
    db.dispose()
    columns = [*schema.names, "holds_platinum_card", "holds_wealth_product"]
    model = _model(people[:400], columns)
    path = tmp_path_factory.mktemp("model") / "m.pkl"
    save_batch_model(model, path)
    live = BatchPropensity({"o1": model})
    context = CallContext(at=AT)
    sample = people[::7][:200]
    return path, {p.id: live.propensity(make_offer("o1"), p, context) for p in sample}


@pytest.mark.parametrize("engine", ["local", "spark"])
def test_model_score_gives_every_customer_the_live_propensity(
    spark: Any,
    demo_db: str,
    exported: Path,
    trained: tuple[Path, dict],
    tmp_path: Path,
    engine: str,
) -> None:
    model, expected = trained
    out = tmp_path / ("scores.parquet" if engine == "local" else "scores")
    args = ["--customers", str(exported / "customers"), "--out", str(out)]
    printed = _cli("model", "score", "--model", str(model), *args,
                   "--engine", engine, "--db", demo_db)  # fmt: skip
    assert "scored 1,500 customers" in printed
    scores = {row["id"]: row["score"] for row in pq.read_table(out).to_pylist()}
    assert len(scores) == 1500
    assert all(scores[k] == pytest.approx(v, abs=1e-12) for k, v in expected.items())
