"""The propensity an offer declares, used until a learned model is configured."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random

    from servesell.domain.center import CallContext
    from servesell.domain.customer import Customer
    from servesell.domain.offer import Offer

PRIOR_STRENGTH = 10.0
"""Pseudo-observations behind a declared prior when sampling (a weak belief)."""


class PriorPropensity:
    """Every customer gets the offer's ``prior_propensity``; samples are Beta around it."""

    def propensity(self, offer: Offer, customer: Customer, context: CallContext) -> float:
        """The offer's declared prior."""
        return offer.prior_propensity

    def sample(
        self, offer: Offer, customer: Customer, context: CallContext, rng: random.Random
    ) -> float:
        """A Beta draw with mean at the prior, worth :data:`PRIOR_STRENGTH` observations."""
        p = offer.prior_propensity
        return rng.betavariate(p * PRIOR_STRENGTH, (1 - p) * PRIOR_STRENGTH)
