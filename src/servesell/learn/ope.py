"""Off-policy evaluation: what another policy would have earned on the calls we logged.

Every decision logs, for each in-call candidate, the probability ``π₀(a)`` that the
logging policy would show it (exploration included). A target policy gives its own
probabilities ``π(a)`` over the same candidates (the rest is "no offer", worth 0).
Rewards are additive over the offers shown (``top_k`` slots), so with ``w = π(a)/π₀(a)``:

* **IPS** — ``mean_i Σ_shown w·r``: unbiased whenever ``π₀(a) > 0`` wherever ``π(a) > 0``.
* **SNIPS** — IPS divided by the mean importance weight (a control variate with
  expectation 1), trading a small bias for much less variance.
* **DR** (doubly robust) — ``mean_i [Σ_a π(a)·q̂(a) + Σ_shown w·(r − q̂)]`` with a reward
  model ``q̂`` (by default the logged propensity × value): unbiased if either the
  probabilities or the reward model are right.

Intervals are normal approximations over decisions (the delta method for SNIPS). A
target policy must stay within the logged support: actions the logging policy could never
take (``π₀ = 0``) cannot be evaluated and are refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class LoggedChoice:
    """One logged decision as OPE sees it.

    ``actions`` are the candidate offer ids, ``logging`` their ``π₀``, ``shown`` the
    indices of the actions taken and ``rewards`` their rewards (same order), ``q_hat``
    the reward model's prediction per action. ``context`` is whatever a target policy
    needs to decide (for example the customer and the call).
    """

    actions: tuple[str, ...]
    logging: tuple[float, ...]
    shown: tuple[int, ...]
    rewards: tuple[float, ...]
    q_hat: tuple[float, ...]
    context: Any = None


TargetPolicy = Callable[[LoggedChoice], Sequence[float]]
"""Probability that the target policy shows each action of a logged choice."""


@dataclass(frozen=True, slots=True)
class Estimate:
    """A policy value estimate per decision with its 95% interval."""

    estimator: str
    value: float
    low: float
    high: float
    decisions: int
    effective_sample_size: float

    def covers(self, truth: float) -> bool:
        """Whether the interval contains ``truth``."""
        return self.low <= truth <= self.high


def evaluate_policy(choices: Sequence[LoggedChoice], policy: TargetPolicy) -> list[Estimate]:
    """IPS, SNIPS and DR estimates of ``policy``'s value per decision."""
    if not choices:
        raise ValueError("no logged decisions to evaluate")
    terms = _Terms.compute(choices, policy)
    return [terms.ips(), terms.snips(), terms.doubly_robust()]


@dataclass(frozen=True, slots=True)
class _Terms:
    """Per-decision quantities every estimator is built from."""

    ips_terms: np.ndarray
    weights: np.ndarray
    dr_terms: np.ndarray

    @classmethod
    def compute(cls, choices: Sequence[LoggedChoice], policy: TargetPolicy) -> _Terms:
        import numpy as np  # ~0.2 s to import: loaded only when an estimate is made

        ips, weights, dr = [], [], []
        for choice in choices:
            target = _target(choice, policy)
            w = [target[j] / choice.logging[j] for j in choice.shown]
            ips.append(math.fsum(wj * r for wj, r in zip(w, choice.rewards, strict=True)))
            weights.append(_normaliser(choice, target, w))
            model = math.fsum(p * q for p, q in zip(target, choice.q_hat, strict=True))
            correction = math.fsum(
                wj * (r - choice.q_hat[j])
                for wj, j, r in zip(w, choice.shown, choice.rewards, strict=True)
            )
            dr.append(model + correction)
        return cls(np.array(ips), np.array(weights), np.array(dr))

    def ips(self) -> Estimate:
        return _mean_estimate("ips", self.ips_terms, self.weights)

    def doubly_robust(self) -> Estimate:
        return _mean_estimate("dr", self.dr_terms, self.weights)

    def snips(self) -> Estimate:
        n = len(self.ips_terms)
        total = float(self.weights.sum())
        if total <= 0:
            return Estimate("snips", math.nan, math.nan, math.nan, n, 0.0)
        value = float(self.ips_terms.sum()) / total
        residual = self.ips_terms - value * self.weights
        se = math.sqrt(float((residual**2).sum())) / total
        return Estimate("snips", value, value - Z95 * se, value + Z95 * se, n, _ess(self.weights))


def _target(choice: LoggedChoice, policy: TargetPolicy) -> list[float]:
    target = [float(p) for p in policy(choice)]
    if len(target) != len(choice.actions):
        raise ValueError(
            f"target policy gave {len(target)} probabilities for {len(choice.actions)} actions"
        )
    for action, p, p0 in zip(choice.actions, target, choice.logging, strict=True):
        if p < 0 or p > 1 + 1e-9:
            raise ValueError(f"target probability of {action!r} is {p}, not in [0, 1]")
        if p > 0 and p0 <= 0:
            raise ValueError(
                f"the target policy shows {action!r}, which the logging policy never could "
                "(probability 0): its value cannot be estimated from this log"
            )
    return target


def _normaliser(choice: LoggedChoice, target: list[float], w: list[float]) -> float:
    """A weight with expectation 1 under the logging policy, for self-normalisation."""
    logged_none = 1.0 - math.fsum(choice.logging)
    if len(choice.shown) <= 1 and logged_none > 1e-9:
        if choice.shown:
            return w[0]
        return max(0.0, 1.0 - math.fsum(target)) / logged_none
    return 1.0 + math.fsum(w) - math.fsum(target)


def _mean_estimate(name: str, terms: np.ndarray, weights: np.ndarray) -> Estimate:
    n = len(terms)
    value = float(terms.mean())
    se = float(terms.std(ddof=1)) / math.sqrt(n) if n > 1 else math.inf
    return Estimate(name, value, value - Z95 * se, value + Z95 * se, n, _ess(weights))


def _ess(weights: np.ndarray) -> float:
    squares = float((weights**2).sum())
    return float(weights.sum()) ** 2 / squares if squares > 0 else 0.0
