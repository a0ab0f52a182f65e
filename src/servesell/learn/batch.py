"""Batch propensity models for any table: LightGBM or regularised logistic regression.

:func:`fit_batch` plans the columns on the training rows (:mod:`servesell.learn.prepare`),
then chooses between gradient-boosted trees and L2-regularised logistic regression (three
strengths) by stratified cross-validated AUC on the training rows only, and refits the
winner on all of them. Classes are not re-weighted: strong imbalance (a few per cent of
positives) is handled by stratified folds and ranking metrics, and probabilities stay
calibrated to the real base rate. Single-threaded (``n_jobs=1``) and seeded.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from servesell.errors import DataError
from servesell.learn.prepare import OTHER, Preparation

MIN_CLASS_ROWS = 5
"""Fewest positive (and negative) training rows a model is fitted on."""
LOGISTIC_C = (0.03, 0.3, 3.0)
_MAX_TREES = 2000


@dataclass(slots=True)
class BatchModel:
    """A fitted batch model with the column plan it needs; predicts from text tables."""

    preparation: Preparation
    kind: str
    estimator: Any
    target: str = ""
    positive: str = ""
    rows: int = 0
    positives: int = 0
    selection: dict[str, float] = field(default_factory=dict)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Probability of the positive class for every row of ``frame`` (text cells)."""
        x = _model_input(self.preparation, frame, self.kind)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            proba = self.estimator.predict_proba(x)
        return np.asarray(proba[:, 1], dtype=float)

    def describe(self) -> str:
        """Which model was chosen, and the cross-validated AUC of every candidate."""
        tried = ", ".join(f"{k} {v:.3f}" for k, v in self.selection.items())
        return f"model: {self.kind} (cross-validated AUC on the training rows: {tried})"


def fit_batch(
    frame: pd.DataFrame,
    y: np.ndarray,
    *,
    seed: int = 0,
    folds: int = 3,
    candidates: tuple[str, ...] | None = None,
) -> BatchModel:
    """Plan, choose and fit a model on ``frame`` (text cells, no target) and labels ``y``."""
    y = np.asarray(y, dtype=int)
    positives = int(y.sum())
    if min(positives, len(y) - positives) < MIN_CLASS_ROWS:
        raise DataError(
            f"too few rows to learn from: {positives} positive and {len(y) - positives} "
            f"negative training rows (need at least {MIN_CLASS_ROWS} of each)"
        )
    plan = Preparation.fit(frame)
    names = candidates or ("lightgbm", *(f"logistic C={c:g}" for c in LOGISTIC_C))
    selection, trees = _select(plan, frame, y, names, seed=seed, folds=folds)
    kind = max(selection, key=lambda k: (selection[k], k.startswith("logistic")))
    estimator = _build(kind, plan, seed=seed, trees=trees)
    _fit(estimator, _model_input(plan, frame, kind), y)
    return BatchModel(plan, kind, estimator, rows=len(y), positives=positives, selection=selection)


def _select(
    plan: Preparation,
    frame: pd.DataFrame,
    y: np.ndarray,
    names: tuple[str, ...],
    *,
    seed: int,
    folds: int,
) -> tuple[dict[str, float], int]:
    k = max(2, min(folds, int(min(y.sum(), len(y) - y.sum()) // 2)))
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    aucs: dict[str, list[float]] = {name: [] for name in names}
    best_trees: list[int] = []
    for train, val in splitter.split(np.zeros(len(y)), y):
        for name in names:
            x_train = _model_input(plan, frame.iloc[train], name)
            x_val = _model_input(plan, frame.iloc[val], name)
            estimator = _build(name, plan, seed=seed, trees=_MAX_TREES)
            _fit(estimator, x_train, y[train], validation=(x_val, y[val]))
            if name == "lightgbm":
                best_trees.append(max(1, int(estimator.best_iteration_ or _MAX_TREES)))
            proba = estimator.predict_proba(x_val)[:, 1]
            aucs[name].append(float(roc_auc_score(y[val], proba)))
    trees = int(np.mean(best_trees) * 1.1) + 1 if best_trees else 100
    return {name: float(np.mean(v)) for name, v in aucs.items()}, trees


def _build(name: str, plan: Preparation, *, seed: int, trees: int) -> Any:
    if name == "lightgbm":
        from lightgbm import LGBMClassifier

        return LGBMClassifier(
            n_estimators=trees,
            learning_rate=0.03,
            num_leaves=15,
            min_child_samples=20,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.7,
            reg_lambda=5.0,
            random_state=seed,
            n_jobs=1,
            deterministic=True,
            force_row_wise=True,
            metric="auc",
            verbose=-1,
        )
    if name.startswith("logistic C="):
        return make_pipeline(_linear_columns(plan), _logistic(float(name.split("=", 1)[1])))
    raise ValueError(f"unknown batch model {name!r} (use lightgbm or logistic C=<strength>)")


def _logistic(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=2000)


def _linear_columns(plan: Preparation) -> ColumnTransformer:
    numbers = [*plan.numeric, *plan.dates]
    parts: list[tuple[str, Any, list[str]]] = []
    if numbers:
        numeric = Pipeline(
            [
                ("impute", SimpleImputer(strategy="median", add_indicator=True)),
                ("scale", StandardScaler()),
            ]
        )
        parts.append(("numeric", numeric, numbers))
    if plan.categorical:
        encoder = OneHotEncoder(handle_unknown="ignore", min_frequency=5, sparse_output=False)
        parts.append(("categorical", encoder, plan.categorical))
    return ColumnTransformer(parts)


def _model_input(plan: Preparation, frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    x = plan.transform(frame)
    if kind == "lightgbm":
        for name, levels in plan.categories.items():
            x[name] = pd.Categorical(x[name], categories=[*levels, OTHER])
    return x


def _fit(
    estimator: Any,
    x: pd.DataFrame,
    y: np.ndarray,
    validation: tuple[pd.DataFrame, np.ndarray] | None = None,
) -> None:
    with warnings.catch_warnings():
        for category in (ConvergenceWarning, UserWarning, FutureWarning):
            warnings.simplefilter("ignore", category)
        if validation is not None and not isinstance(estimator, Pipeline):
            from lightgbm import early_stopping

            estimator.fit(
                x,
                y,
                eval_set=[validation],
                callbacks=[early_stopping(100, verbose=False)],
            )
        else:
            estimator.fit(x, y)
