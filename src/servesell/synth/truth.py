"""Latent true acceptance propensities of a synthetic world (the bank's by default).

Each offer's take-up follows a logistic model of observable profile fields and the call
reason, anchored at the offer's catalog prior for an average customer. The truth is a
function of what a model can see (no hidden per-customer noise), so a learner scored on
outcomes can approach the truth's own AUC; the Bernoulli draw is the only randomness.
What differs between worlds (base rates, effects, features) is a :class:`Tastes`; the
bank's is :data:`BANK_TASTES`, the mobile operator's ``synth.telecom.TELECOM_TASTES``.

>>> import datetime as dt
>>> from servesell.domain import CallContext, Customer
>>> truth = LatentPropensity()
>>> c = Customer("C1", {"age": 35, "segment": "mass", "credit_limit": 10000.0,
...                     "balance": 8000.0, "repayment_mode": "partial"})
>>> at = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
>>> p = truth.probability("bill_instalment", c, CallContext(at=at, reason="billing_inquiry"))
>>> 0.2 < p < 0.6
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random

    from servesell.domain.center import CallContext
    from servesell.domain.customer import Customer
    from servesell.domain.offer import Offer

Features = Mapping[str, float]

BASE_RATE = {
    "bill_instalment": 0.12,
    "cash_instalment": 0.05,
    "travel_insurance": 0.10,
    "wealth_product": 0.04,
    "card_upgrade": 0.08,
    "auto_debit": 0.20,
    "limit_increase": 0.25,
    "mobile_banking": 0.15,
    "car_loan": 0.015,
    "accident_insurance": 0.05,
}
"""Take-up of an average eligible customer on a neutral call (matches the catalog priors)."""

_EFFECTS: dict[str, dict[str, float]] = {
    "bill_instalment": {"utilisation": 1.6, "part_payer": 0.7, "age_z": -0.3},
    "cash_instalment": {"utilisation": 1.2, "age_z": -0.5, "income_z": -0.3},
    "travel_insurance": {"travel_z": 1.1, "affluent": 0.4},
    "wealth_product": {"deposit_z": 1.0, "risk_z": 0.5, "age_z": 0.3},
    "card_upgrade": {"spend_z": 0.9, "affluent": 0.5},
    "auto_debit": {"part_payer": 0.9, "app_user": 0.4, "age_z": 0.2},
    "limit_increase": {"utilisation": 2.0, "spend_z": 0.4},
    "mobile_banking": {"age_z": -0.9, "young_professional": 0.6},
    "car_loan": {"prime_car_age": 1.2, "income_z": 0.6, "tier1": 0.4},
    "accident_insurance": {"family_age": 0.8, "age_z": 0.1},
}

_REASON_EFFECTS: dict[str, dict[str, float]] = {
    "billing_inquiry": {"bill_instalment": 0.9, "limit_increase": 0.4, "auto_debit": 0.3},
    "repayment": {"auto_debit": 0.9, "bill_instalment": 0.5},
    "card_activation": {"mobile_banking": 0.7, "auto_debit": 0.3},
    "limit_inquiry": {"limit_increase": 1.0, "card_upgrade": 0.5, "cash_instalment": 0.5},
    "points_rewards": {"card_upgrade": 0.6, "travel_insurance": 0.4},
    "lost_card": {"*": -0.6},
    "transaction_dispute": {"*": -0.8},
    "complaint": {"*": -2.0},
}


CHANNEL_SHARE = {"sms": 0.3, "wechat": 0.4, "email": 0.15}
"""Take-up odds of a message relative to the call, for a typical customer (the catalog's
assumption, :data:`~servesell.domain.offer.DIGITAL_TAKE_UP_SHARE`)."""

_CHANNEL_EFFECTS: dict[str, dict[str, float]] = {
    "sms": {"age_z": 0.5, "young_professional": -0.5},
    "wechat": {"young_professional": 1.0, "app_user": 0.6, "age_z": -0.7},
    "email": {"affluent": 0.9, "age_z": 0.2, "app_user": -0.3},
}
"""Who answers which channel: older customers read SMS, young app users WeChat, affluent
customers e-mail (log-odds per centred feature, on top of the channel's share)."""


Feature = Callable[[Mapping[str, object]], float]
"""A centred feature of a profile (0 for a typical customer)."""


@dataclass(frozen=True, slots=True)
class Tastes:
    """What a world's customers take up: per offer a base rate and log-odds effects.

    ``effects[offer][feature]`` and ``channel_effects[channel][feature]`` are log-odds
    per unit of a centred feature of :attr:`features`; ``reason_effects[reason][offer]``
    (``"*"``: every offer) shift the log-odds on calls with that reason.
    """

    base_rate: Mapping[str, float]
    effects: Mapping[str, Mapping[str, float]]
    reason_effects: Mapping[str, Mapping[str, float]]
    features: Mapping[str, Feature]
    channel_effects: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    channel_share: Mapping[str, float] = field(default_factory=lambda: dict(CHANNEL_SHARE))


class LatentPropensity:
    """The true probability that a customer accepts an offer in a call context."""

    def __init__(
        self, base_rate: Mapping[str, float] | None = None, *, tastes: Tastes | None = None
    ) -> None:
        self.tastes = tastes or BANK_TASTES
        self.base_rate = dict(self.tastes.base_rate if base_rate is None else base_rate)
        self._features: dict[str, tuple[Customer, dict[str, float]]] = {}

    def features(self, customer: Customer) -> dict[str, float]:
        """:func:`customer_features` under these tastes, computed once per customer object.

        A simulation asks for the same callers' truth many times; a new object with the
        same id is computed afresh.
        """
        known = self._features.get(customer.id)
        if known is None or known[0] is not customer:
            known = self._features[customer.id] = (
                customer,
                customer_features(customer, self.tastes),
            )
        return known[1]

    def probability(self, offer_id: str, customer: Customer, context: CallContext) -> float:
        """True take-up probability; unknown offers take-up at 5% with no effects."""
        features = self.features(customer)
        base = self.base_rate.get(offer_id, 0.05)
        logit = math.log(base / (1 - base))
        for name, weight in self.tastes.effects.get(offer_id, {}).items():
            logit += weight * features.get(name, 0.0)
        reason = self.tastes.reason_effects.get(context.reason, {})
        logit += reason.get(offer_id, reason.get("*", 0.0))
        return 1.0 / (1.0 + math.exp(-logit))

    def channel_probability(
        self, offer_id: str, channel: str, customer: Customer, context: CallContext
    ) -> float:
        """True take-up of ``offer_id`` made on ``channel`` (``in_call`` or a message).

        A message's log-odds are the call's plus the log of the channel's share and the
        channel's effects of who the customer is (:data:`_CHANNEL_EFFECTS` for the bank):
        the same offer reaches an older customer best by SMS and a young app user by WeChat.
        """
        p = self.probability(offer_id, customer, context)
        if channel == "in_call":
            return p
        features = self.features(customer)
        share = self.tastes.channel_share.get(channel, 1.0)
        logit = math.log(p / (1 - p)) + math.log(share)
        for name, weight in self.tastes.channel_effects.get(channel, {}).items():
            logit += weight * features.get(name, 0.0)
        return 1.0 / (1.0 + math.exp(-logit))

    def propensity(self, offer: Offer, customer: Customer, context: CallContext) -> float:
        """The truth as a propensity model (an oracle for simulations and benchmarks)."""
        return self.probability(offer.id, customer, context)

    def sample(
        self, offer: Offer, customer: Customer, context: CallContext, rng: random.Random
    ) -> float:
        """The truth itself: an oracle has no uncertainty to sample from."""
        return self.probability(offer.id, customer, context)


def customer_features(customer: Customer, tastes: Tastes | None = None) -> dict[str, float]:
    """Centred features the truth of ``tastes`` (the bank's) is built from (0 if typical)."""
    a = customer.attributes
    return {name: fn(a) for name, fn in (tastes or BANK_TASTES).features.items()}


def num(a: Mapping[str, object], key: str, default: float) -> float:
    """The number in field ``key`` of a profile, ``default`` when missing or not a number."""
    value = a.get(key)
    return float(value) if isinstance(value, int | float) else default


def log_z(a: Mapping[str, object], key: str, centre: float, default: float = 0.0) -> float:
    """``log1p`` of a non-negative field, centred at ``centre`` and scaled; else ``default``."""
    value = num(a, key, -1.0)
    return (math.log1p(value) - centre) / 1.2 if value >= 0 else default


def _utilisation(a: Mapping[str, object]) -> float:
    limit = num(a, "credit_limit", 0.0)
    return (num(a, "balance", 0.0) / limit - 0.4) if limit > 0 else 0.0


_FEATURES: dict[str, Feature] = {
    "age_z": lambda a: (num(a, "age", 40.0) - 40.0) / 12.0,
    "utilisation": _utilisation,
    "part_payer": lambda a: 1.0 if a.get("repayment_mode") in ("partial", "minimum") else 0.0,
    "income_z": lambda a: log_z(a, "annual_income", 11.6),
    "travel_z": lambda a: log_z(a, "travel_spend_12m", 8.5, -1.0),
    "deposit_z": lambda a: log_z(a, "deposit_balance", 10.5),
    "risk_z": lambda a: (num(a, "risk_tolerance", 2.5) - 2.5) / 1.0,
    "spend_z": lambda a: log_z(a, "monthly_spend", 8.2),
    "affluent": lambda a: 1.0 if a.get("segment") in ("affluent", "private") else 0.0,
    "young_professional": lambda a: 1.0 if a.get("segment") == "young_professional" else 0.0,
    "app_user": lambda a: 1.0 if a.get("last_login_on") is not None else 0.0,
    "prime_car_age": lambda a: 1.0 if 27 <= num(a, "age", 0.0) <= 40 else 0.0,
    "tier1": lambda a: 1.0 if num(a, "city_tier", 3.0) == 1 else 0.0,
    "family_age": lambda a: 1.0 if 30 <= num(a, "age", 0.0) <= 50 else 0.0,
}


BANK_TASTES = Tastes(BASE_RATE, _EFFECTS, _REASON_EFFECTS, _FEATURES, _CHANNEL_EFFECTS)
"""The synthetic bank's customers."""
