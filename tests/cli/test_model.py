"""``servesell model ...`` end to end: real-looking files, clear errors, never a traceback."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from tests.support.tables import write_customers_csv
from typer.testing import CliRunner

from servesell.cli import app
from servesell.ingest.modelfile import load_batch_model

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()


@pytest.fixture(scope="module")
def wide_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """85 columns, ~6% positives, Yes/No target, gaps, an id, GBK text, missing targets."""
    path = tmp_path_factory.mktemp("wide") / "caravan_like.csv"
    write_customers_csv(path, rows=2500, numeric=80, encoding="gbk", missing_targets=3)
    return path


@pytest.mark.slow
def test_evaluate_prints_every_figure_for_a_wide_real_looking_table(wide_csv: Path) -> None:
    result = runner.invoke(
        app, ["model", "evaluate", str(wide_csv), "--target", "Purchase", "--test-rows", "1000"]
    )
    assert result.exit_code == 0, result.output
    for text in (
        "2500 rows × 86 columns (gb18030, delimiter ',')",
        "fixed split: first 1000 rows of the file as test set (997 with a target)",
        "3 rows with a missing target were left out",
        "dropped 'customer_id': id-like",
        "dropped 'constant': constant",
        "AUC ",
        "log loss",
        "Brier",
        "Top of the ranking",
        "Calibration",
    ):
        assert text in result.output


@pytest.mark.slow
def test_evaluate_json_is_one_object_with_the_figures(wide_csv: Path) -> None:
    result = runner.invoke(
        app,
        ["model", "evaluate", str(wide_csv), "--target", "purchase", "--folds", "2", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rows"] == 2497
    assert 0.6 < data["auc"] < 1.0
    assert [t["share"] for t in data["top"]] == [0.05, 0.1, 0.2]
    assert len(data["calibration"]) == 10
    assert len(data["fold_aucs"]) == 2


def test_train_writes_a_model_the_engine_can_load(tmp_path: Path) -> None:
    data = tmp_path / "small.csv"
    write_customers_csv(data, rows=400, numeric=4, base_rate=0.15, labels=("1", "0"))
    out = tmp_path / "model.pkl"
    result = runner.invoke(
        app, ["model", "train", str(data), "--target", "Purchase", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"saved to {out}" in result.output
    assert load_batch_model(out).kind in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "Purchace"], "did you mean 'Purchase'"),
        (["--target", "city"], "has 5 different values"),
        (["--target", "Purchase", "--test-rows", "900"], "--test-rows 900 must be between"),
        (["--target", "Purchase", "--folds", "1"], "--folds 1 needs 2 <= folds"),
    ],
)
def test_evaluate_mistakes_are_one_line_errors(
    tmp_path: Path, args: list[str], message: str
) -> None:
    data = tmp_path / "small.csv"
    write_customers_csv(data, rows=300, numeric=3, base_rate=0.2)
    result = runner.invoke(app, ["model", "evaluate", str(data), *args])
    assert result.exit_code == 2
    assert result.output.startswith("error: ")
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["model", "evaluate", str(tmp_path / "no.csv"), "--target", "y"])
    assert result.exit_code == 2
    assert "no such file" in result.output
