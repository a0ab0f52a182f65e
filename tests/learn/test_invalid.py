"""Bad input to the learners: every refusal names the offending value or column."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import pytest
from tests.support.learning import SCHEMA

from servesell.errors import DataError, InputFileError
from servesell.ingest.modelfile import load_batch_model
from servesell.ingest.tabular import read_table
from servesell.learn.associations import Associations
from servesell.learn.base import learner_from_state
from servesell.learn.bayes_probit import BayesProbit
from servesell.learn.beta_bernoulli import BetaBernoulli
from servesell.learn.evaluate import evaluate_frame
from servesell.learn.features import FeatureSpace
from servesell.learn.ope import LoggedChoice, evaluate_policy
from servesell.learn.target import read_target

if TYPE_CHECKING:
    from pathlib import Path


def _frame(target: list[str | None], n_features: int = 1) -> pd.DataFrame:
    data = {f"x{j}": [str(i % 7) for i in range(len(target))] for j in range(n_features)}
    return pd.DataFrame({**data, "Purchase": target}, dtype=object)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prior_variance": 0}, "prior_variance must be positive, got 0"),
        ({"bias_variance": -1}, "bias_variance must be positive, got -1"),
        ({"beta": 0}, "beta must be positive, got 0"),
        ({"decay": 1.0}, r"decay must be in \[0, 1\), got 1.0"),
        ({"draw_inflation": 0.5}, "draw_inflation must be at least 1, got 0.5"),
    ],
)
def test_bad_probit_settings_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BayesProbit(**kwargs)


def test_bad_beta_and_priors_are_refused() -> None:
    with pytest.raises(ValueError, match="strength must be positive, got 0"):
        BetaBernoulli(strength=0)
    with pytest.raises(ValueError, match=r"prior propensity must be in \(0, 1\), got 1.0"):
        BayesProbit().cold_start(1.0, 3.0)
    with pytest.raises(ValueError, match="unknown learner kind 'nope'"):
        learner_from_state({"kind": "nope"})
    with pytest.raises(ValueError, match="max_categories and max_products must be at least 1"):
        FeatureSpace(SCHEMA, max_categories=0)


def test_an_unknown_target_column_suggests_the_close_ones() -> None:
    with pytest.raises(DataError, match="no column 'Purchse'; did you mean 'Purchase'") as err:
        read_target(_frame(["Yes", "No"]), "Purchse")
    assert err.value.column == "Purchse"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["yes", "Yes", "YES"], "has a single class"),
        (["a", "b", "c"], "has 3 different values"),
        ([None, None], "has no values"),
    ],
)
def test_unusable_targets_are_refused(values: list[str | None], message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_target(_frame(values), "Purchase")


def test_targets_in_any_spelling_are_read() -> None:
    target = read_target(_frame(["Yes", "no", "1", "0", "TRUE", "f", None]), "purchase")
    assert target.labels.tolist() == [1, 0, 1, 0, 1, 0]
    assert target.dropped_missing == 1
    other = read_target(_frame(["stay", "churn", "stay", "stay"]), "Purchase")
    assert (other.positive, other.labels.tolist()) == ("churn", [0, 1, 0, 0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"test_rows": 40}, "--test-rows 40 must be between 1 and 39"),
        ({"test_rows": 5}, "the test rows hold only negative rows"),
        ({"folds": 9}, r"--folds 9 needs 2 <= folds <= 8"),
        ({"folds": 3, "test_rows": 5}, "either a fixed test split"),
    ],
)
def test_impossible_splits_are_explained(kwargs: dict[str, int], message: str) -> None:
    frame = _frame(["No"] * 32 + ["Yes"] * 8, n_features=2)
    with pytest.raises(DataError, match=message):
        evaluate_frame(frame, "Purchase", **kwargs)  # type: ignore[arg-type]


def test_too_few_positive_rows_to_learn() -> None:
    frame = _frame(["No"] * 20 + ["Yes"] * 3)
    with pytest.raises(DataError, match="too few rows to learn from: 1 positive"):
        evaluate_frame(frame, "Purchase", folds=2)


def test_a_table_of_only_ids_has_nothing_to_learn_from() -> None:
    frame = pd.DataFrame({"ref": [f"r{i}" for i in range(90)], "y": ["1", "0"] * 45}, dtype=object)
    with pytest.raises(DataError, match="no usable predictor columns"):
        evaluate_frame(frame, "y", folds=2)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"a,b,y\n", "has a header but no readable data rows"),
        (b'a,b\n"3,4\n', "no readable data rows \\(1 malformed"),
        (b"a,a\n1,2\n", "column 'a' appears twice"),
    ],
)
def test_unreadable_files_are_explained(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        read_table(path)


def test_missing_and_foreign_model_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        load_batch_model(tmp_path / "none.pkl")
    (tmp_path / "text.pkl").write_text("hello", encoding="utf-8")
    with pytest.raises(InputFileError, match="not a servesell model file"):
        load_batch_model(tmp_path / "text.pkl")


def test_ope_refuses_policies_outside_the_logged_support() -> None:
    choice = LoggedChoice(("a", "b"), (1.0, 0.0), (0,), (1.0,), (0.5, 0.5))
    with pytest.raises(ValueError, match="the target policy shows 'b'"):
        evaluate_policy([choice], lambda c: [0.0, 1.0])
    with pytest.raises(ValueError, match="gave 1 probabilities for 2 actions"):
        evaluate_policy([choice], lambda c: [1.0])
    with pytest.raises(ValueError, match="no logged decisions"):
        evaluate_policy([], lambda c: [])
    with pytest.raises(ValueError, match=r"min_support must be in \[0, 1\], got 2"):
        Associations.fit([], min_support=2)
