"""Batch propensity models for any table: LightGBM or regularised logistic regression.

:func:`fit_batch` plans the columns on the training rows (:mod:`servesell.learn.prepare`),
then searches gradient-boosted trees (three shapes, from small shallow trees to larger
ones, each early-stopped on the inner validation fold) and L2-regularised logistic
regression (three strengths) by stratified cross-validated AUC on the training rows
only — never the test rows — and refits the winner on all of them with the tree count
the inner folds chose. Its probabilities are then calibrated (Platt scaling, fitted on
the winner's out-of-fold predictions of the training rows, so calibration too sees no
row it is judged on). Classes are not re-weighted: strong imbalance is handled by
stratified folds and ranking metrics. Single-threaded (``n_jobs=1``) and seeded.
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
TREE_SHAPES: dict[str, dict[str, float]] = {
    "lightgbm small": {"num_leaves": 7, "min_child_samples": 50, "colsample_bytree": 0.5,
                       "reg_lambda": 10.0},
    "lightgbm": {"num_leaves": 15, "min_child_samples": 20, "colsample_bytree": 0.7,
                 "reg_lambda": 5.0},
    "lightgbm large": {"num_leaves": 31, "min_child_samples": 20, "colsample_bytree": 0.8,
                       "reg_lambda": 1.0},
}  # fmt: skip
"""The gradient-boosting shapes searched (all at learning rate 0.03, early-stopped)."""
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
    calibration: tuple[float, float] | None = None
    trees: int | None = None

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of the positive class for every row of ``frame``."""
        return calibrate(self.raw(frame), getattr(self, "calibration", None))

    def raw(self, frame: pd.DataFrame) -> np.ndarray:
        """The estimator's own probability, before calibration."""
        x = _model_input(self.preparation, frame, self.kind)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            proba = self.estimator.predict_proba(x)
        return np.asarray(proba[:, 1], dtype=float)

    def describe(self) -> str:
        """Which model was chosen, and the cross-validated AUC of every candidate."""
        tried = ", ".join(f"{k} {v:.3f}" for k, v in self.selection.items())
        trees = f", {self.trees} trees" if getattr(self, "trees", None) else ""
        calibrated = ", Platt-calibrated" if getattr(self, "calibration", None) else ""
        return (
            f"model: {self.kind}{trees}{calibrated} "
            f"(cross-validated AUC on the training rows: {tried})"
        )


def calibrate(p: np.ndarray, platt: tuple[float, float] | None) -> np.ndarray:
    """Platt scaling ``σ(a·logit(p) + b)``; ``p`` unchanged without a fit."""
    if platt is None:
        return p
    a, b = platt
    q = np.clip(p, 1e-9, 1 - 1e-9)
    return np.asarray(1.0 / (1.0 + np.exp(-(a * np.log(q / (1 - q)) + b))), dtype=float)


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
    names = candidates or (*TREE_SHAPES, *(f"logistic C={c:g}" for c in LOGISTIC_C))
    found = _select(plan, frame, y, names, seed=seed, folds=folds)
    kind = max(found.auc, key=lambda k: (found.auc[k], k.startswith("logistic")))
    trees = found.trees.get(kind)
    estimator = _build(kind, plan, seed=seed, trees=trees or 100)
    _fit(estimator, _model_input(plan, frame, kind), y)
    return BatchModel(
        plan,
        kind,
        estimator,
        rows=len(y),
        positives=positives,
        selection=found.auc,
        calibration=_platt(found.oof[kind], y),
        trees=trees,
    )


@dataclass(frozen=True, slots=True)
class _Search:
    """Cross-validated AUC, out-of-fold predictions and tree counts per candidate."""

    auc: dict[str, float]
    oof: dict[str, np.ndarray]
    trees: dict[str, int]


def _platt(oof: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit ``σ(a·logit(p) + b)`` to the labels of the out-of-fold predictions."""
    q = np.clip(oof, 1e-9, 1 - 1e-9)
    logit = np.log(q / (1 - q)).reshape(-1, 1)
    fit = LogisticRegression(C=1e6, max_iter=1000).fit(logit, y)
    return float(fit.coef_[0][0]), float(fit.intercept_[0])


def _select(
    plan: Preparation,
    frame: pd.DataFrame,
    y: np.ndarray,
    names: tuple[str, ...],
    *,
    seed: int,
    folds: int,
) -> _Search:
    k = max(2, min(folds, int(min(y.sum(), len(y) - y.sum()) // 2)))
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    aucs: dict[str, list[float]] = {name: [] for name in names}
    oof = {name: np.zeros(len(y)) for name in names}
    best: dict[str, list[int]] = {name: [] for name in names if name in TREE_SHAPES}
    for train, val in splitter.split(np.zeros(len(y)), y):
        for name in names:
            x_train = _model_input(plan, frame.iloc[train], name)
            x_val = _model_input(plan, frame.iloc[val], name)
            estimator = _build(name, plan, seed=seed, trees=_MAX_TREES)
            _fit(estimator, x_train, y[train], validation=(x_val, y[val]))
            if name in best:
                best[name].append(max(1, int(estimator.best_iteration_ or _MAX_TREES)))
            oof[name][val] = estimator.predict_proba(x_val)[:, 1]
            aucs[name].append(float(roc_auc_score(y[val], oof[name][val])))
    trees = {name: int(np.mean(v) * 1.1) + 1 for name, v in best.items()}
    return _Search({name: float(np.mean(v)) for name, v in aucs.items()}, oof, trees)


def _build(name: str, plan: Preparation, *, seed: int, trees: int) -> Any:
    if name in TREE_SHAPES:
        from lightgbm import LGBMClassifier

        shape = TREE_SHAPES[name]
        return LGBMClassifier(
            n_estimators=trees,
            learning_rate=0.03,
            num_leaves=int(shape["num_leaves"]),
            min_child_samples=int(shape["min_child_samples"]),
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=shape["colsample_bytree"],
            reg_lambda=shape["reg_lambda"],
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
    if kind in TREE_SHAPES:
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
