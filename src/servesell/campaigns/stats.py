"""The statistics of a campaign against its hold-out: lift, intervals, CUPED, SRM, BH.

* Lift in a rate: Newcombe's hybrid score interval (Wilson on each side), which behaves
  at rates of a few per cent; lift in a mean (revenue per contact, handle time): Welch's
  normal interval. Both at 95%.
* Anytime-valid intervals: the normal-mixture confidence sequence of Howard, Ramdas,
  McAuliffe and Sekhon (2021) in its asymptotic form (Waudby-Smith et al., 2023), tuned
  to be tightest at the planned sample size: a supervisor may look every day and stop
  whenever, and the chance that the sequence *ever* misses the true lift stays ≤ 5%.
* CUPED (Deng et al., 2013): the outcome minus θ·(pre-period covariate − its mean),
  θ = cov(Y, X) / var(X) pooled over both groups; unbiased, narrower when X predicts Y.
* Sample-ratio mismatch: Pearson's χ² of the treated/held-out counts against the planned
  split; the alarm fires at p < 0.001 (a broken split, not bad luck).
* Segments: Fisher's exact test per segment, Benjamini–Hochberg false-discovery control.

>>> e = proportion_lift(60, 300, 10, 100)
>>> round(e.estimate, 3), e.low < e.estimate < e.high
(0.1, True)
>>> srm(5000, 5000, control_share=0.5).alarm, srm(4500, 5500, control_share=0.5).alarm
(False, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from servesell.learn.uplift import newcombe

ALPHA = 0.05
Z95 = 1.959963984540054
SRM_P = 0.001
"""p-value below which the sample-ratio alarm fires."""


@dataclass(frozen=True, slots=True)
class Estimate:
    """A difference treated − held out with its 95% interval, standard error and p-value."""

    treated: float
    control: float
    estimate: float
    low: float
    high: float
    se: float
    p_value: float
    n_treated: int
    n_control: int

    @property
    def significant(self) -> bool:
        """Whether the interval excludes zero."""
        return self.low > 0 or self.high < 0

    def covers(self, value: float) -> bool:
        """Whether ``value`` lies in the interval."""
        return self.low <= value <= self.high


@dataclass(frozen=True, slots=True)
class Sequence95:
    """An anytime-valid 95% interval (confidence sequence) around an estimate."""

    estimate: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class SrmCheck:
    """The split as seen against the split as planned."""

    treated: int
    control: int
    expected_control_share: float
    chi2: float
    p_value: float

    @property
    def alarm(self) -> bool:
        """True when the split is too far from the plan to be chance (p < 0.001)."""
        return self.p_value < SRM_P

    @property
    def control_share(self) -> float:
        """The observed held-out share."""
        total = self.treated + self.control
        return self.control / total if total else math.nan


def proportion_lift(x_t: int, n_t: int, x_c: int, n_c: int) -> Estimate:
    """``x_t/n_t − x_c/n_c`` with Newcombe's 95% interval and a two-sided z-test p-value."""
    p_t = x_t / n_t if n_t else math.nan
    p_c = x_c / n_c if n_c else math.nan
    low, high = newcombe(x_t, n_t, x_c, n_c)
    se = math.sqrt(p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c) if n_t and n_c else math.nan
    pooled = (x_t + x_c) / (n_t + n_c) if n_t + n_c else math.nan
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_t + 1 / n_c)) if n_t and n_c else math.nan
    return Estimate(p_t, p_c, p_t - p_c, low, high, se, _p_normal(p_t - p_c, se0), n_t, n_c)


def mean_lift(treated: Sequence[float], control: Sequence[float]) -> Estimate:
    """Difference of means with Welch's normal 95% interval."""
    n_t, n_c = len(treated), len(control)
    m_t, v_t = _mean_var(treated)
    m_c, v_c = _mean_var(control)
    se = math.sqrt(v_t / n_t + v_c / n_c) if n_t > 1 and n_c > 1 else math.nan
    d = m_t - m_c
    return Estimate(m_t, m_c, d, d - Z95 * se, d + Z95 * se, se, _p_normal(d, se), n_t, n_c)


def cuped_lift(
    y_t: Sequence[float], x_t: Sequence[float], y_c: Sequence[float], x_c: Sequence[float]
) -> tuple[Estimate, float]:
    """Lift of ``y`` adjusted by the pre-period covariate ``x``; and θ used.

    With no variation in ``x`` θ is 0 and the result equals :func:`mean_lift`.
    """
    xs = [*x_t, *x_c]
    ys = [*y_t, *y_c]
    mx, vx = _mean_var(xs)
    my = sum(ys) / len(ys) if ys else 0.0
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / max(len(xs) - 1, 1)
    theta = cov / vx if vx > 0 else 0.0
    adj_t = [y - theta * (x - mx) for y, x in zip(y_t, x_t, strict=True)]
    adj_c = [y - theta * (x - mx) for y, x in zip(y_c, x_c, strict=True)]
    return mean_lift(adj_t, adj_c), theta


def confidence_sequence(
    estimate: Estimate, *, planned: int | None = None, alpha: float = ALPHA
) -> Sequence95:
    """The anytime-valid interval around ``estimate`` (normal mixture, asymptotic).

    Half-width ``σ·sqrt(2(nρ²+1)/(n²ρ²)·log(sqrt(nρ²+1)/α))`` where ``σ = se·sqrt(n)`` is
    the per-unit standard deviation of the contrast, ``n`` the units so far, and ρ chosen
    so the boundary is tightest at ``planned`` units (default: ``n``).
    """
    n = estimate.n_treated + estimate.n_control
    if n == 0 or math.isnan(estimate.se):
        return Sequence95(estimate.estimate, math.nan, math.nan)
    target = planned or n
    rho2 = (-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / target
    sigma = estimate.se * math.sqrt(n)
    half = sigma * math.sqrt(
        2 * (n * rho2 + 1) / (n * n * rho2) * math.log(math.sqrt(n * rho2 + 1) / alpha)
    )
    return Sequence95(estimate.estimate, estimate.estimate - half, estimate.estimate + half)


def srm(treated: int, control: int, *, control_share: float) -> SrmCheck:
    """χ² test of the observed split against ``control_share`` (see :attr:`SrmCheck.alarm`)."""
    from scipy.stats import chisquare

    total = treated + control
    if total == 0 or not 0 < control_share < 1:
        return SrmCheck(treated, control, control_share, 0.0, 1.0)
    expected = [total * (1 - control_share), total * control_share]
    chi2, p = chisquare([treated, control], expected)
    return SrmCheck(treated, control, control_share, float(chi2), float(p))


def fisher_p(x_t: int, n_t: int, x_c: int, n_c: int) -> float:
    """Two-sided p-value of Fisher's exact test of equal rates."""
    from scipy.stats import fisher_exact

    if n_t == 0 or n_c == 0:
        return 1.0
    _, p = fisher_exact([[x_t, n_t - x_t], [x_c, n_c - x_c]])
    return float(p)


def benjamini_hochberg(p_values: Sequence[float], *, q: float = ALPHA) -> list[tuple[bool, float]]:
    """``(discovered, adjusted p)`` per p-value, controlling the false-discovery rate at ``q``."""
    if not p_values:
        return []
    from statsmodels.stats.multitest import multipletests

    reject, adjusted, _, _ = multipletests(list(p_values), alpha=q, method="fdr_bh")
    return [(bool(r), float(a)) for r, a in zip(reject, adjusted, strict=True)]


def _mean_var(values: Sequence[float]) -> tuple[float, float]:
    n = len(values)
    if n == 0:
        return math.nan, math.nan
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
    return mean, var


def _p_normal(diff: float, se: float) -> float:
    if math.isnan(se) or math.isnan(diff):
        return math.nan
    if se == 0:
        return 1.0 if diff == 0 else 0.0
    return math.erfc(abs(diff / se) / math.sqrt(2))
