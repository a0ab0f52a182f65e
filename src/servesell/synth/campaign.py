"""The synthetic bank's campaign truth: organic take-up, pre-period purchases, true lift.

Every customer of a campaign's audience may also buy a campaign product on their own
(organic take-up, ``organic_share`` × the latent propensity), in either group; a treated
customer whose call showed the offer also accepts it with the latent propensity × the
agent's skill, unless the agent skipped it. So the true effect of *assignment* on one
customer is known exactly once we know whether their call would show each offer:

* P(convert | treated) = 1 − Π_k (1 − e_k·q_k)(1 − o_k), P(convert | held out) = 1 − Π_k (1 − o_k);
* revenue: Σ_k v_k·[1 − (1 − e_k·q_k)(1 − o_k)] against Σ_k v_k·o_k;

with e_k whether offer k would be shown, q_k = (1 − skip)·min(1, p_k·skill) and o_k the
organic probability. Pre-period purchases are Poisson with a mean that grows with the
customer's propensities, so they predict the outcome (what CUPED needs).

>>> truth = unit_truth([OfferChance(exposed=True, accept=0.2, organic=0.05, value=100.0)])
>>> round(truth.conversion, 4), round(truth.revenue, 2)
(0.19, 19.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random


@dataclass(frozen=True, slots=True)
class CampaignTruth:
    """Rates of the synthetic campaign world."""

    organic_share: float = 0.25
    skip_rate: float = 0.04
    pre_scale: float = 30.0
    """Mean pre-period purchases per unit of summed propensity."""

    def __post_init__(self) -> None:
        if not 0 <= self.organic_share <= 1 or not 0 <= self.skip_rate < 1:
            raise ValueError("organic_share must be in [0, 1] and skip_rate in [0, 1)")


@dataclass(frozen=True, slots=True)
class OfferChance:
    """One campaign offer for one customer: shown or not, and the chances that follow."""

    exposed: bool
    accept: float
    organic: float
    value: float


@dataclass(frozen=True, slots=True)
class UnitTruth:
    """The true effect of assignment on one customer."""

    conversion: float
    revenue: float


def unit_truth(chances: Sequence[OfferChance]) -> UnitTruth:
    """Exact treated − held-out difference in conversion and revenue (module doc)."""
    miss_t = miss_c = 1.0
    revenue = 0.0
    for k in chances:
        q = k.accept if k.exposed else 0.0
        miss_t *= (1 - q) * (1 - k.organic)
        miss_c *= 1 - k.organic
        revenue += k.value * ((1 - (1 - q) * (1 - k.organic)) - k.organic)
    return UnitTruth((1 - miss_t) - (1 - miss_c), revenue)


def accept_chance(propensity: float, skill: float, truth: CampaignTruth) -> float:
    """A shown offer's chance of a sale: (1 − skip) · min(1, p · skill)."""
    return (1 - truth.skip_rate) * min(1.0, propensity * skill)


def pre_period_purchases(
    propensities: Sequence[float], truth: CampaignTruth, rng: random.Random
) -> int:
    """A Poisson draw whose mean grows with the customer's summed propensities."""
    mean = truth.pre_scale * sum(propensities)
    # Knuth's method is exact and fast for the small means used here.
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k
