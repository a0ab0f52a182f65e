from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from tests.support.learning import AT, make_offer
from tests.support.tables import write_customers_csv

from servesell.domain import CallContext, Customer
from servesell.ingest.modelfile import load_batch_model, save_batch_model
from servesell.ingest.tabular import read_table
from servesell.learn.batch import fit_batch
from servesell.learn.evaluate import evaluate_frame, predictors
from servesell.learn.modelfile import BatchPropensity
from servesell.learn.prepare import Preparation
from servesell.learn.target import read_target

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def frame(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("csv") / "customers.csv"
    write_customers_csv(path, rows=1500, numeric=8, base_rate=0.1, missing_targets=7)
    return read_table(path).frame


def test_the_column_plan_drops_ids_and_constants_and_says_why(frame: pd.DataFrame) -> None:
    plan = Preparation.fit(frame.drop(columns=["Purchase"]))
    assert plan.dropped == {
        "customer_id": "id-like (a different value in nearly every row)",
        "constant": "constant",
    }
    assert plan.categorical == ["city", "segment"]
    assert plan.numeric == ["income", *[f"V{j}" for j in range(1, 9)]]


def test_fixed_split_uses_the_first_rows_as_test_set(frame: pd.DataFrame) -> None:
    result = evaluate_frame(frame, "purchase", test_rows=500, seed=1)
    assert result.scores.rows == 493  # 7 of the first 500 rows have no target
    assert "first 500 rows" in result.method
    assert any("7 rows with a missing target were left out" in n for n in result.notes)
    assert result.scores.auc > 0.7
    assert [t.share for t in result.scores.top] == [0.05, 0.10, 0.20]
    assert sum(b.rows for b in result.scores.calibration) == 493


def test_cross_validation_scores_every_row_once(frame: pd.DataFrame) -> None:
    result = evaluate_frame(frame, "Purchase", folds=3, seed=2)
    assert result.scores.rows == 1493
    assert len(result.fold_aucs) == 3
    assert result.scores.auc > 0.7
    calibration = result.scores.calibration
    mean_predicted = sum(b.predicted * b.rows for b in calibration) / 1493
    assert mean_predicted == pytest.approx(result.scores.base_rate, abs=0.03)


def test_the_same_seed_gives_the_same_evaluation(frame: pd.DataFrame) -> None:
    small = frame.iloc[:400]
    a = evaluate_frame(small, "Purchase", folds=2, seed=5)
    b = evaluate_frame(small, "Purchase", folds=2, seed=5)
    assert a.as_dict() == b.as_dict()


def test_a_saved_model_scores_live_customers(frame: pd.DataFrame, tmp_path: Path) -> None:
    labels = read_target(frame, "Purchase")
    model = fit_batch(predictors(frame, labels), labels.labels, seed=0, candidates=("lightgbm",))
    save_batch_model(model, tmp_path / "m.pkl")
    loaded = load_batch_model(tmp_path / "m.pkl")
    x = predictors(frame, labels).iloc[:50]
    assert np.allclose(loaded.predict(x), model.predict(x))
    engine_model = BatchPropensity({"o1": loaded})
    keen = Customer("C1", {"city": "上海", "V1": 9, "V2": 0, "income": 120000})
    shy = Customer("C2", {"city": "Wuhan", "V1": 0, "V2": 9})
    ctx = CallContext(at=AT)
    assert engine_model.propensity(make_offer("o1"), keen, ctx) > engine_model.propensity(
        make_offer("o1"), shy, ctx
    )
    assert engine_model.propensity(make_offer("o2", prior=0.07), keen, ctx) == 0.07
