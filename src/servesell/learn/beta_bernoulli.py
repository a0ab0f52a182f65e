"""Beta-Bernoulli: one take-up rate per offer, blind to the customer (the baseline learner).

It starts at ``Beta(prior·strength, (1 - prior)·strength)``, the offer's declared prior
worth ``strength`` pseudo-outcomes, and counts accepts and declines. Useful as a control
for the contextual learners and for offers with too few outcomes to learn more.

>>> learner = BetaBernoulli(strength=10)
>>> learner.cold_start(0.2, norm2=1.0)
>>> for accepted in (True, True, False, False, False):
...     learner.learn_one(([0], [1.0]), accepted)
>>> round(learner.predict_one(([0], [1.0])), 4)
0.2667
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from servesell.learn.base import Learner

if TYPE_CHECKING:
    import random

    from servesell.learn.features import SparseRow


class BetaBernoulli(Learner):
    """Context-free Beta posterior of an offer's take-up rate."""

    kind = "beta_bernoulli"

    def __init__(self, strength: float = 10.0) -> None:
        if not strength > 0:
            raise ValueError(f"strength must be positive, got {strength}")
        super().__init__()
        self.strength = float(strength)
        self.alpha = 0.5 * self.strength
        self.beta = 0.5 * self.strength

    def params(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {"strength": self.strength}

    def uncertainty_one(self, row: SparseRow) -> float:
        """Posterior standard deviation of the take-up rate."""
        a, b = self.alpha, self.beta
        return math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))

    def _cold_start(self, prior: float, norm2: float) -> None:
        self.alpha = prior * self.strength
        self.beta = (1.0 - prior) * self.strength

    def _learn_one(self, row: SparseRow, accepted: bool) -> None:
        if accepted:
            self.alpha += 1.0
        else:
            self.beta += 1.0

    def _predict_one(self, row: SparseRow) -> float:
        return self.alpha / (self.alpha + self.beta)

    def _sample_one(self, row: SparseRow, rng: random.Random) -> float:
        return rng.betavariate(self.alpha, self.beta)

    def _state(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "beta": self.beta}

    def _restore(self, learned: dict[str, Any]) -> None:
        self.alpha = float(learned["alpha"])
        self.beta = float(learned["beta"])
