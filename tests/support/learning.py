"""A small simulated world for learner tests: customers, offers and a known truth."""

from __future__ import annotations

import datetime as dt
import math
import random

from servesell.domain import Customer, Offer, ProfileSchema

AT = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
SCHEMA = ProfileSchema.from_mapping(
    {
        "age": "int",
        "income": "float",
        "segment": "str",
        "app_user": "bool",
        "opened_on": "date",
    }
)
SEGMENTS = ("mass", "affluent", "young")


def make_offer(offer_id: str = "o1", prior: float = 0.1, value: float = 100.0) -> Offer:
    return Offer(
        id=offer_id,
        name=offer_id,
        product=offer_id,
        rule="age >= 18",
        value=value,
        script="Hello",
        extra_handle_seconds=60,
        prior_propensity=prior,
    )


def make_customers(n: int, seed: int = 0) -> list[Customer]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        attrs = {
            "age": rng.randint(20, 70),
            "income": None if rng.random() < 0.2 else round(rng.lognormvariate(11, 0.6), 2),
            "segment": rng.choice(SEGMENTS),
            "app_user": rng.random() < 0.6,
            "opened_on": dt.date(2026, 1, 1) - dt.timedelta(days=rng.randint(10, 4000)),
        }
        held = frozenset(p for p in ("card", "loan", "deposit") if rng.random() < 0.4)
        out.append(Customer(f"C{i:05d}", attrs, holdings=held))
    return out


def true_propensity(offer: Offer, customer: Customer) -> float:
    """A known truth over the test schema: young app users with a deposit like offer o1."""
    a = customer.attributes
    age = a["age"]
    assert isinstance(age, int)
    logit = -2.2 + (0.9 if a["app_user"] else -0.4) - 0.04 * (age - 40)
    logit += 0.8 * (a["segment"] == "affluent") + 0.6 * customer.holds("deposit")
    if offer.id != "o1":
        logit = -1.5 - logit / 2
    return 1.0 / (1.0 + math.exp(-logit))
