"""Honest evaluation of a batch model on any table with a 0/1 target.

Either a fixed split — the first ``test_rows`` rows of the file are the test set and the
rest train the model, as in textbook labs — or stratified ``folds``-fold
cross-validation whose out-of-fold predictions are scored together. Everything the
model learns (column plan, model choice, fit) comes from training rows only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from servesell.errors import DataError
from servesell.learn.batch import BatchModel, fit_batch
from servesell.learn.metrics import Scores, score
from servesell.learn.target import Target, read_target

DEFAULT_FOLDS = 5


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Scores on held-out rows, how they were held out, and what was done to the data."""

    scores: Scores
    method: str
    notes: list[str] = field(default_factory=list)
    fold_aucs: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "method": self.method,
            "notes": self.notes,
            "fold_aucs": self.fold_aucs,
            **self.scores.as_dict(),
        }


def evaluate_frame(
    frame: pd.DataFrame,
    target: str,
    *,
    test_rows: int | None = None,
    folds: int | None = None,
    seed: int = 0,
    positive: str | None = None,
) -> Evaluation:
    """Evaluate on ``frame`` (text cells) predicting column ``target``; see the module doc."""
    if test_rows is not None and folds is not None:
        raise DataError("choose either a fixed test split (--test-rows) or --folds, not both")
    labels = read_target(frame, target, positive=positive)
    notes = [labels.describe()]
    if test_rows is not None:
        return _fixed_split(frame, labels, test_rows, seed, notes)
    return _cross_validate(frame, labels, folds or DEFAULT_FOLDS, seed, notes)


def predictors(frame: pd.DataFrame, labels: Target) -> pd.DataFrame:
    """The rows with a target, without the target column."""
    return frame.loc[labels.kept].drop(columns=[labels.name]).reset_index(drop=True)


def _fixed_split(
    frame: pd.DataFrame, labels: Target, test_rows: int, seed: int, notes: list[str]
) -> Evaluation:
    if not 0 < test_rows < len(frame):
        raise DataError(
            f"--test-rows {test_rows} must be between 1 and {len(frame) - 1}: the table has "
            f"{len(frame)} data rows and the rest after the test rows train the model"
        )
    in_test = np.arange(len(frame))[labels.kept] < test_rows
    x, y = predictors(frame, labels), labels.labels
    _need_both(y[in_test], "test rows")
    model = fit_batch(x[~in_test], y[~in_test], seed=seed)
    notes += _model_notes(model)
    scores = score(y[in_test], model.predict(x[in_test]))
    method = (
        f"fixed split: first {test_rows} rows of the file as test set "
        f"({int(in_test.sum())} with a target), the other {int((~in_test).sum())} for training"
    )
    return Evaluation(scores, method, notes)


def _cross_validate(
    frame: pd.DataFrame, labels: Target, folds: int, seed: int, notes: list[str]
) -> Evaluation:
    y = labels.labels
    smallest = int(min(y.sum(), len(y) - y.sum()))
    if folds < 2 or folds > smallest:
        raise DataError(
            f"--folds {folds} needs 2 <= folds <= {smallest} (the rarer class has "
            f"{smallest} rows, and every fold needs one)"
        )
    x = predictors(frame, labels)
    oof = np.zeros(len(y))
    aucs, kinds = [], Counter[str]()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.zeros(len(y)), y):
        model = fit_batch(x.iloc[train], y[train], seed=seed)
        oof[test] = model.predict(x.iloc[test])
        aucs.append(score(y[test], oof[test]).auc)
        kinds[model.kind] += 1
    notes += model.preparation.describe()
    notes.append("models chosen per fold: " + ", ".join(f"{k} ×{n}" for k, n in kinds.items()))
    method = f"{folds}-fold stratified cross-validation (seed {seed}), out-of-fold predictions"
    return Evaluation(score(y, oof), method, notes, aucs)


def _model_notes(model: BatchModel) -> list[str]:
    return [*model.preparation.describe(), model.describe()]


def _need_both(y: np.ndarray, where: str) -> None:
    if y.min() == y.max():
        raise DataError(
            f"the {where} hold only {'positive' if y[0] else 'negative'} rows; "
            "AUC needs both classes (choose more test rows, or --folds)"
        )
