"""Honest scores of a propensity model: ranking, probability quality, lift and calibration.

``top`` rows are the ``ceil(share · n)`` highest scored; their *hits* are the positives
among them, *precision* hits per row and *lift* precision over the base rate. The
calibration table cuts the scored rows into ``bins`` groups of equal size by score and
compares the mean predicted probability with the observed rate in each.

>>> import numpy as np
>>> s = score(np.array([1, 0, 1, 0, 0]), np.array([0.9, 0.1, 0.6, 0.7, 0.2]), bins=2)
>>> round(s.auc, 3), s.top[0].hits
(0.833, 1)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

TOP_SHARES = (0.05, 0.10, 0.20)
CLIP = 1e-12


@dataclass(frozen=True, slots=True)
class TopShare:
    """Hits, precision and lift among the highest-scored ``share`` of rows."""

    share: float
    rows: int
    hits: int
    precision: float
    lift: float


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """One group of rows with similar scores: predicted against observed."""

    rows: int
    low: float
    high: float
    predicted: float
    observed: float


@dataclass(frozen=True, slots=True)
class LiftDecile:
    """One tenth of the rows by score, best first, as a marketer reads a gains table.

    ``lift`` is the decile's rate over the base rate; ``cumulative_lift`` and
    ``captured`` (the share of all positives) count every decile down to this one.
    """

    decile: int
    rows: int
    hits: int
    rate: float
    lift: float
    cumulative_lift: float
    captured: float


@dataclass(frozen=True, slots=True)
class Scores:
    """Every figure ``servesell model evaluate`` reports."""

    rows: int
    positives: int
    base_rate: float
    auc: float
    log_loss: float
    brier: float
    top: tuple[TopShare, ...]
    calibration: tuple[CalibrationBin, ...]
    deciles: tuple[LiftDecile, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return asdict(self)


def score(y: np.ndarray, p: np.ndarray, *, bins: int = 10) -> Scores:
    """Score predictions ``p`` of 0/1 labels ``y``; both classes must be present."""
    y = np.asarray(y, dtype=float)
    p = np.clip(np.asarray(p, dtype=float), CLIP, 1 - CLIP)
    base = float(y.mean())
    return Scores(
        rows=len(y),
        positives=int(y.sum()),
        base_rate=base,
        auc=float(roc_auc_score(y, p)),
        log_loss=float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))),
        brier=float(np.mean((p - y) ** 2)),
        top=tuple(top_share(y, p, share, base) for share in TOP_SHARES),
        calibration=calibration(y, p, bins),
        deciles=gains(y, p),
    )


def gains(y: np.ndarray, p: np.ndarray, groups: int = 10) -> tuple[LiftDecile, ...]:
    """Lift and capture per decile of the ranking, best scores first."""
    order = np.argsort(-p, kind="stable")
    total, base = float(y.sum()), float(y.mean())
    out, seen, hits_so_far = [], 0, 0.0
    for i, g in enumerate(np.array_split(order, min(groups, len(p))), start=1):
        if not len(g):
            continue
        hits = float(y[g].sum())
        seen, hits_so_far = seen + len(g), hits_so_far + hits
        rate = hits / len(g)
        out.append(
            LiftDecile(
                i,
                len(g),
                int(hits),
                rate,
                rate / base if base > 0 else math.nan,
                (hits_so_far / seen) / base if base > 0 else math.nan,
                hits_so_far / total if total > 0 else math.nan,
            )
        )
    return tuple(out)


def top_share(y: np.ndarray, p: np.ndarray, share: float, base: float) -> TopShare:
    """Hits and lift in the top ``share`` of rows by score (ties broken by row order)."""
    k = max(1, math.ceil(share * len(y)))
    order = np.argsort(-p, kind="stable")[:k]
    hits = int(y[order].sum())
    precision = hits / k
    return TopShare(share, k, hits, precision, precision / base if base > 0 else math.nan)


def calibration(y: np.ndarray, p: np.ndarray, bins: int) -> tuple[CalibrationBin, ...]:
    """Predicted against observed in ``bins`` equal-count groups, lowest scores first."""
    order = np.argsort(p, kind="stable")
    groups = [g for g in np.array_split(order, min(bins, len(p))) if len(g)]
    return tuple(
        CalibrationBin(
            rows=len(g),
            low=float(p[g].min()),
            high=float(p[g].max()),
            predicted=float(p[g].mean()),
            observed=float(y[g].mean()),
        )
        for g in groups
    )


def expected_auc(scores: np.ndarray, truth: np.ndarray) -> float:
    """AUC of ``scores`` expected over labels drawn from the true probabilities ``truth``.

    Used where the latent truth is known (the synthetic bank): it scores the ranking
    without the noise of one Bernoulli draw. Ties count one half, as in the usual AUC.

    >>> expected_auc(np.array([0.1, 0.5, 0.9]), np.array([0.0, 0.0, 1.0]))
    1.0
    """
    s = np.asarray(scores, dtype=float)
    p = np.asarray(truth, dtype=float)
    order = np.argsort(s, kind="stable")
    s, p = s[order], p[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    pos = np.add.reduceat(p, starts)
    neg = np.add.reduceat(1.0 - p, starts)
    own = np.add.reduceat(p * (1.0 - p), starts)
    below = np.cumsum(neg) - neg
    numerator = float((pos * below).sum() + 0.5 * (pos * neg - own).sum())
    denominator = float(p.sum() * (1.0 - p).sum() - (p * (1.0 - p)).sum())
    return numerator / denominator
