"""Bayesian probit regression with a diagonal Gaussian posterior, updated by moment matching.

The default learner (the AdPredictor update of Graepel et al., ICML 2010): every feature
weight is ``N(mean, var)``; an outcome updates the active weights by assumed-density
filtering, which is exact moment matching of the one-observation posterior and costs
O(active features). ``P(accept) = Φ(m / sqrt(β² + v))`` where ``m`` and ``v`` are the mean
and variance of the row's score, so the prediction is already averaged over the model's
uncertainty (calibrated, not over-confident), and a Thompson draw is one normal variate.

Cold start is explicit: the bias weight starts at the mean that makes every row predict
the offer's declared prior, with ``bias_variance`` saying how firmly that prior is held;
the other weights start at 0 with ``prior_variance``. ``decay`` (0 = stationary) pulls
every touched weight back toward its prior a little on each update, so the model keeps
adapting when take-up drifts. ``sample_scale`` narrows posterior draws (tempered Thompson
sampling): a draw samples that share of the score's spread and averages over the rest,
so its expectation is the posterior predictive take-up whatever the scale (1 draws from
the full posterior, above 1 counts as 1). Narrowing the draw over ``β`` alone, as first
written, put a rare offer's draws below its predictive take-up and under-explored the
high-value, low-take-up offers (``bench/learn.py``, see ``docs/learning.md``).
``draw_inflation`` (default 1) has draws come from a posterior that many times as wide:
optimism for offers under 50%, the adaptive model's default (``docs/learning.md``).
``relevance_every`` (default 0, off) has predictions and draws read a
:func:`~servesell.learn.relevance.relevance_view` of the posterior, which shrinks the
fields that do not matter for this offer and frees those that do (given the fields of the
feature ids, :attr:`groups`). The view is made from a snapshot of the posterior taken in
the update at every multiple of ``relevance_every`` outcomes, so two copies that learned
the same outcomes predict the same whenever they predict; the update itself is unchanged.

>>> learner = BayesProbit()
>>> learner.cold_start(0.12, norm2=4.0)
>>> round(learner.predict_one(([0, 5, 9, 12], [1.0, 1.0, 1.0, 1.0])), 6)
0.12
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from servesell.learn.base import Learner
from servesell.learn.relevance import relevance_view

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

    from servesell.learn.features import SparseRow

Weights = tuple[list[float], list[float]]
"""Means and variances of every weight, by feature id."""

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class BayesProbit(Learner):
    """Online Bayesian probit regression; see the module docstring."""

    kind = "bayes_probit"

    def __init__(
        self,
        prior_variance: float = 0.05,
        bias_variance: float = 0.5,
        beta: float = 1.0,
        decay: float = 0.0,
        sample_scale: float = 0.5,
        *,
        draw_inflation: float = 1.0,
        relevance_every: int = 0,
        relevance_cap: float = 3.0,
    ) -> None:
        for name, value in (("prior_variance", prior_variance), ("bias_variance", bias_variance)):
            if not value > 0:
                raise ValueError(f"{name} must be positive, got {value}")
        if not beta > 0:
            raise ValueError(f"beta must be positive, got {beta}")
        if not sample_scale > 0:
            raise ValueError(f"sample_scale must be positive, got {sample_scale}")
        if not draw_inflation >= 1.0:
            raise ValueError(f"draw_inflation must be at least 1, got {draw_inflation}")
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"decay must be in [0, 1), got {decay}")
        if relevance_every < 0 or not relevance_cap >= 1.0:
            raise ValueError(
                "relevance_every must be at least 0 and relevance_cap at least 1, "
                f"got {relevance_every} and {relevance_cap}"
            )
        super().__init__()
        self.prior_variance = float(prior_variance)
        self.bias_variance = float(bias_variance)
        self.beta = float(beta)
        self.decay = float(decay)
        self.sample_scale = float(sample_scale)
        self.draw_inflation = float(draw_inflation)
        self.relevance_every = int(relevance_every)
        self.relevance_cap = float(relevance_cap)
        self.groups: Sequence[int] = ()
        """Per feature id its field (``FeatureSpace.groups``), for the relevance view."""
        self.mean: list[float] = [0.0]
        self.var: list[float] = [self.bias_variance]
        self.bias_mean = 0.0
        self._source: Weights | None = None
        self._view: tuple[Weights, Weights] | None = None
        self._forget_view()

    def params(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {
            "prior_variance": self.prior_variance,
            "bias_variance": self.bias_variance,
            "beta": self.beta,
            "decay": self.decay,
            "sample_scale": self.sample_scale,
            "draw_inflation": self.draw_inflation,
            "relevance_every": self.relevance_every,
            "relevance_cap": self.relevance_cap,
        }

    def uncertainty_one(self, row: SparseRow) -> float:
        """Posterior standard deviation of the row's score."""
        return math.sqrt(self._score(row)[1])

    def score(self, row: SparseRow) -> tuple[float, float]:
        """Mean and variance of the row's linear score (an offset for another learner)."""
        return self._score(row)

    def shift_start(self, shift: float) -> None:
        """Forget everything; start the bias at ``shift`` (a learner of an offset's change)."""
        self.n = 0
        self.positives = 0
        self.bias_mean = shift
        self.mean = [shift]
        self.var = [self.bias_variance]
        self._forget_view()

    def predict_with(self, row: SparseRow, offset: tuple[float, float]) -> float:
        """Take-up when this learner's score adds to ``offset`` (mean, variance)."""
        m, v = self._score(row)
        p = _cdf((offset[0] + m) / math.sqrt(self.beta * self.beta + offset[1] + v))
        return min(max(p, 1e-6), 1.0 - 1e-6)

    def learn_with(
        self, row: SparseRow, accepted: bool, offset: tuple[float, float], ones: int = 0
    ) -> None:
        """Update on one answer whose score is ``offset`` plus this learner's (offset fixed)."""
        self.learn_one(row, accepted, ones, offset)

    def _cold_start(self, prior: float, norm2: float) -> None:
        total = self.beta**2 + self.bias_variance + (norm2 - 1.0) * self.prior_variance
        self.bias_mean = NormalDist().inv_cdf(prior) * math.sqrt(total)
        self.mean = [self.bias_mean]
        self.var = [self.bias_variance]
        self._forget_view()

    def _score(self, row: SparseRow) -> tuple[float, float]:
        mean, var = self.mean, self.var
        if self._source is not None:
            mean, var = self._view_weights(self._source)
        known = len(mean)
        m = 0.0
        v = 0.0
        for i, x in zip(*row):  # noqa: B905 - hot path; rows are built in pairs
            if i < known:
                m += mean[i] * x
                v += var[i] * x * x
            else:
                v += self.prior_variance * x * x
        return m, v

    def _predict_one(self, row: SparseRow) -> float:
        m, v = self._score(row)
        return _cdf(m / math.sqrt(self.beta * self.beta + v))

    def _sample_one(self, row: SparseRow, rng: random.Random) -> float:
        # Draw the share sample_scale of the score's spread and average over the rest, so
        # the draw's expectation is the posterior predictive Φ(m / sqrt(β² + k·v)) for any
        # scale (a narrowed draw over β alone sat below it for a rare offer: bench/learn.py),
        # where k = draw_inflation widens the diagonal posterior, which is over-confident.
        m, v = self._score(row)
        v *= self.draw_inflation
        s = self.sample_scale if self.sample_scale < 1.0 else 1.0
        rest = self.beta * self.beta + (1.0 - s * s) * v
        return _cdf((m + s * math.sqrt(v) * rng.gauss(0.0, 1.0)) / math.sqrt(rest))

    def _learn_one(self, row: SparseRow, accepted: bool) -> None:
        # Only the base class's learn_one would call this, and it is overridden: that one
        # counts the outcome itself, so the count is undone for the base class to count.
        self.learn_one(row, accepted)
        self.n -= 1
        self.positives -= bool(accepted)

    def learn_one(
        self,
        row: SparseRow,
        accepted: bool,
        ones: int = 0,
        offset: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        """Update on one outcome, and count it; ``offset`` as in :meth:`learn_with`."""
        # The step is adf_step (the C kernel where it was built, else the Python reference):
        # it bounds the online update rate that bench/learn.py (updates_per_s) measures. A
        # new feature id raises IndexError before anything is written, which grows the
        # weights and steps again (cheaper than a max() each time).
        ids, values = row
        if self.decay:
            self._forget(ids)
        try:
            adf_step(self.mean, self.var, ids, values, ones, *offset, self.beta, accepted)
        except IndexError:
            self._grow(max(ids) + 1)
            adf_step(self.mean, self.var, ids, values, ones, *offset, self.beta, accepted)
        self.n += 1
        if accepted:
            self.positives += 1
        if self.n == self._next_view:
            self._source = (list(self.mean), list(self.var))
            self._next_view += self.relevance_every

    def _view_weights(self, source: Weights) -> Weights:
        """The relevance view of ``source`` (a posterior snapshot), made once per snapshot.

        Without the fields of the features (:attr:`groups`) there is no view: the current
        posterior.
        """
        if not self.groups:
            return self.mean, self.var
        view = self._view
        if view is None or view[0] is not source:
            weights = relevance_view(*source, self.groups, self.prior_variance, self.relevance_cap)
            view = self._view = (source, weights)
        return view[1]

    def _forget_view(self) -> None:
        """No relevance view until the next multiple of ``relevance_every`` outcomes."""
        every = self.relevance_every
        self._next_view = self.n - self.n % every + every if every else -1
        self._source = None
        self._view = None

    def _grow(self, size: int) -> None:
        missing = size - len(self.mean)
        if missing > 0:
            self.mean.extend([0.0] * missing)
            self.var.extend([self.prior_variance] * missing)

    def _forget(self, ids: list[int]) -> None:
        if len(self.mean) <= max(ids):
            self._grow(max(ids) + 1)
        eps = self.decay
        for i in ids:
            prior_var = self.bias_variance if i == 0 else self.prior_variance
            prior_mean = self.bias_mean if i == 0 else 0.0
            vi = self.var[i]
            new_var = vi * prior_var / ((1.0 - eps) * prior_var + eps * vi)
            self.mean[i] = new_var * (
                (1.0 - eps) * self.mean[i] / vi + eps * prior_mean / prior_var
            )
            self.var[i] = new_var

    def _state(self) -> dict[str, Any]:
        state = {"mean": list(self.mean), "var": list(self.var), "bias_mean": self.bias_mean}
        if self._source is not None:
            state["view_source"] = {"mean": self._source[0], "var": self._source[1]}
        return state

    def _restore(self, learned: dict[str, Any]) -> None:
        self.mean = [float(x) for x in learned["mean"]]
        self.var = [float(x) for x in learned["var"]]
        self.bias_mean = float(learned["bias_mean"])
        self._forget_view()
        if (source := learned.get("view_source")) is not None:
            self._source = ([float(x) for x in source["mean"]], [float(x) for x in source["var"]])


def _cdf(t: float) -> float:
    return 0.5 * math.erfc(-t / _SQRT2)


def _mills(t: float) -> float:
    """``φ(t) / Φ(t)``, stable far into the left tail."""
    if t < -30.0:
        return -t
    return _INV_SQRT_2PI * math.exp(-0.5 * t * t) / _cdf(t)


def _adf_step(  # noqa: PLR0917 - the C kernel's signature (_probit.c)
    mean: list[float],
    var: list[float],
    ids: list[int],
    values: list[float],
    ones: int,
    m: float,
    v: float,
    beta: float,
    accepted: bool,
) -> None:
    """One assumed-density-filtering step on the weights ``mean`` and ``var``, in place.

    The reference of ``_probit.adf_step`` (same floats in the same order, so the same
    posterior bit for bit) and its fallback where the C module was not built. The row's
    first ``ones`` values are 1.0 (the bias and the profile fields,
    ``FeatureSpace.unit_prefix``): their loops read only ids. Later values of 1.0 take a
    branch that skips the multiplications by ``x`` (multiplying by 1.0 is exact). An id
    past the weights raises IndexError before anything is written.
    """
    head, rest, scales = ids[:ones], ids[ones:], values[ones:]
    for i in head:
        m += mean[i]
        v += var[i]
    for i, x in zip(rest, scales):  # noqa: B905 - rows are built in pairs
        if x == 1.0:
            m += mean[i]
            v += var[i]
        else:
            m += mean[i] * x
            v += var[i] * x * x
    s2 = beta * beta + v
    s = math.sqrt(s2)
    t = m / s if accepted else -m / s
    g = _mills(t)
    step = g / s if accepted else -g / s
    shrink = g * (g + t) / s2
    for i in head:
        vi = var[i]
        mean[i] += step * vi
        vi *= 1.0 - shrink * vi
        var[i] = vi if vi > 1e-6 else 1e-6
    for i, x in zip(rest, scales):  # noqa: B905
        vi = var[i]
        if x == 1.0:
            mean[i] += step * vi
            vi *= 1.0 - shrink * vi
        else:
            mean[i] += step * x * vi
            vi *= 1.0 - shrink * x * x * vi
        var[i] = vi if vi > 1e-6 else 1e-6


try:
    from servesell.learn._probit import adf_step
except ImportError:  # built without a C compiler (hatch_build.py): the reference
    adf_step = _adf_step
