"""Which script variant a shown offer gets: Thompson sampling with exact, logged probabilities.

Each live variant of an offer's script has a Beta posterior of its take-up (a
:class:`~servesell.learn.beta_bernoulli.BetaBernoulli` started at the offer's prior).
Thompson sampling shows variant ``i`` with probability ``P(i has the highest draw)``; that
probability is computed by quadrature (``∫ f_i(x) Π_{j≠i} F_j(x) dx``) rather than estimated,
mixed with a floor so every live variant keeps a share (``floor`` each), and then drawn with
the caller's seeded RNG — so the probability logged is exactly the one used, and inverse
propensity weighting (:func:`variant_estimates`, built on :mod:`servesell.learn.ope`) gives
unbiased conversion rates per variant even though the allocation adapts.

>>> import random
>>> arms = [Arm("standard", 2, 50), Arm("v1", 12, 40)]
>>> probs = thompson_probabilities(arms, floor=0.05)
>>> [round(p, 3) for p in probs]
[0.052, 0.948]
>>> allocate(arms, random.Random(1), floor=0.05)[0]
'v1'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from servesell.learn.beta_bernoulli import BetaBernoulli
from servesell.learn.ope import LoggedChoice, evaluate_policy
from servesell.learn.uplift import wilson

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

    import numpy as np

    from servesell.learn.ope import TargetPolicy

FLOOR = 0.05
"""Least share of calls a live variant keeps (bounds the importance weights at 1/floor)."""
PRIOR_STRENGTH = 2.0
"""The offer's prior take-up is worth this many outcomes in every variant's posterior."""


@cache
def _grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The quadrature grid on (0, 1) with its logs, built on first use (numpy is lazy)."""
    import numpy as np  # ~0.2 s to import: a decision that allocates no variant never pays it

    grid = np.linspace(0.0, 1.0, 2001)[1:-1]
    return grid, np.log(grid), np.log1p(-grid)


@dataclass(frozen=True, slots=True)
class Arm:
    """A live variant with its recorded in-call accepts and declines."""

    variant_id: str
    accepts: int
    declines: int

    def posterior(self, prior: float = 0.5, strength: float = PRIOR_STRENGTH) -> BetaBernoulli:
        """The variant's Beta posterior, started at ``prior`` worth ``strength`` outcomes."""
        learner = BetaBernoulli(strength=strength)
        learner.cold_start(prior, norm2=1.0)
        learner.alpha += self.accepts
        learner.beta += self.declines
        return learner


def thompson_probabilities(
    arms: Sequence[Arm], *, prior: float = 0.5, floor: float = FLOOR
) -> list[float]:
    """The probability each arm is shown: ``floor + (1 − k·floor)·P(arm is best)``."""
    if not arms:
        raise ValueError("no live variant to allocate")
    k = len(arms)
    floor = min(floor, 0.5 / k)
    best = prob_best(arms, prior=prior)
    return [floor + (1.0 - k * floor) * p for p in best]


def prob_best(arms: Sequence[Arm], *, prior: float = 0.5) -> list[float]:
    """``P(arm i has the highest take-up)`` under the posteriors, by quadrature on a grid."""
    if len(arms) == 1:
        return [1.0]
    import numpy as np
    from scipy.special import betainc, betaln

    grid, log_x, log_1x = _grid()
    learners = [a.posterior(prior) for a in arms]
    a = np.array([[b.alpha] for b in learners])
    b = np.array([[b.beta] for b in learners])
    pdfs = np.exp((a - 1) * log_x + (b - 1) * log_1x - betaln(a, b))
    cdfs = betainc(a, b, grid)
    out = []
    for i in range(len(arms)):
        others = np.prod(np.delete(cdfs, i, axis=0), axis=0)
        out.append(float(np.trapezoid(pdfs[i] * others, grid)))
    total = sum(out)
    return [p / total for p in out]


def allocate(
    arms: Sequence[Arm], rng: random.Random, *, prior: float = 0.5, floor: float = FLOOR
) -> tuple[str, float]:
    """Draw the variant to show with ``rng``; returns its id and the probability it had."""
    return draw(arms, thompson_probabilities(arms, prior=prior, floor=floor), rng)


def draw(arms: Sequence[Arm], probs: Sequence[float], rng: random.Random) -> tuple[str, float]:
    """Draw one of ``arms`` with ``probs`` (one uniform number from ``rng``)."""
    u = rng.random()
    acc = 0.0
    for arm, p in zip(arms, probs, strict=True):
        acc += p
        if u < acc:
            return arm.variant_id, p
    return arms[-1].variant_id, probs[-1]


PROMOTE_AT = 0.95
"""Posterior probability of being the best a variant needs to be promoted."""
MIN_SHOWN = 100
"""Calls every live variant needs before any is promoted (no winner from a lucky week)."""


def winner(
    arms: Sequence[Arm],
    *,
    prior: float = 0.5,
    promote_at: float = PROMOTE_AT,
    min_shown: int = MIN_SHOWN,
) -> tuple[str, float] | None:
    """The variant that wins with enough evidence and its ``P(best)``, else ``None``."""
    if len(arms) < 2 or any(a.accepts + a.declines < min_shown for a in arms):
        return None
    best = prob_best(arms, prior=prior)
    i = max(range(len(arms)), key=best.__getitem__)
    return (arms[i].variant_id, best[i]) if best[i] >= promote_at else None


@dataclass(frozen=True, slots=True)
class VariantEstimate:
    """A variant's take-up: raw counts with a Wilson interval, and the unbiased IPS rate."""

    variant_id: str
    shown: int
    accepted: int
    rate: float
    low: float
    high: float
    ips: float
    ips_low: float
    ips_high: float


@dataclass(frozen=True, slots=True)
class LoggedAllocation:
    """One logged allocation: the live variants then, their probabilities, the one shown."""

    variants: tuple[str, ...]
    probabilities: tuple[float, ...]
    shown: str
    accepted: bool


def variant_estimates(log: Sequence[LoggedAllocation]) -> list[VariantEstimate]:
    """Per variant: raw take-up (95% Wilson) and the IPS estimate of "always this variant".

    The IPS estimate weighs each call by the logged probability of the variant it got, so
    it is unbiased under the adaptive allocation; its 95% interval is a normal one.
    """
    names = sorted({v for a in log for v in a.variants})
    return [_estimate(name, log) for name in names]


def _estimate(name: str, log: Sequence[LoggedAllocation]) -> VariantEstimate:
    mine = [a for a in log if a.shown == name]
    accepted = sum(a.accepted for a in mine)
    low, high = wilson(accepted, len(mine)) if mine else (math.nan, math.nan)
    choices = [_choice(a) for a in log if name in a.variants]
    ips = evaluate_policy(choices, _always(name))[0] if choices else None
    return VariantEstimate(
        name,
        len(mine),
        accepted,
        accepted / len(mine) if mine else math.nan,
        low,
        high,
        ips.value if ips else math.nan,
        ips.low if ips else math.nan,
        ips.high if ips else math.nan,
    )


def _choice(a: LoggedAllocation) -> LoggedChoice:
    shown = a.variants.index(a.shown)
    q = tuple(0.0 for _ in a.variants)
    return LoggedChoice(a.variants, a.probabilities, (shown,), (float(a.accepted),), q)


def _always(name: str) -> TargetPolicy:
    def policy(choice: LoggedChoice) -> list[float]:
        return [1.0 if a == name else 0.0 for a in choice.actions]

    return policy
