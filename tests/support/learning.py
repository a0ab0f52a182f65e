"""A small simulated world for learner tests: customers, offers and a known truth."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable

from servesell.domain import (
    CallContext,
    Candidate,
    Channel,
    Customer,
    Decision,
    Fate,
    Mode,
    Offer,
    OutcomeResult,
    ProfileSchema,
    Scores,
)

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


def bank_world() -> tuple[ProfileSchema, list[Offer]]:
    """The synthetic bank's declared schema and offer catalog (read without the rules)."""
    import yaml

    from servesell.synth import bank_catalog_path, bank_schema_path

    fields = yaml.safe_load(bank_schema_path().read_text(encoding="utf-8"))["fields"]
    offers = yaml.safe_load(bank_catalog_path().read_text(encoding="utf-8"))["offers"]
    return ProfileSchema.from_mapping(fields), [Offer.model_validate(o) for o in offers]


def epsilon_greedy_log(
    customers: list[Customer],
    offers: list[Offer],
    truth: Callable[[Offer, Customer, CallContext], float],
    *,
    n: int,
    epsilon: float,
    seed: int,
) -> list[tuple[Decision, dict[tuple[str, Channel], OutcomeResult]]]:
    """``n`` logged decisions of an ε-greedy policy by prior × value, outcomes from ``truth``.

    Each call has 2-5 random candidate offers; one is shown with exactly logged
    probabilities, and the customer accepts with the true propensity.
    """
    rng = random.Random(seed)
    out = []
    for i in range(n):
        customer = rng.choice(customers)
        context = CallContext(at=AT, reason=rng.choice(REASONS))
        pool = rng.sample(offers, rng.randint(2, 5))
        greedy = max(pool, key=lambda o: (o.prior_propensity * o.value, o.id))
        shown = rng.choice(pool) if rng.random() < epsilon else greedy
        p = truth(shown, customer, context)
        result = OutcomeResult.ACCEPTED if rng.random() < p else OutcomeResult.DECLINED
        cands = tuple(
            Candidate(
                o.id,
                Fate.SHOWN if o is shown else Fate.NOT_SELECTED,
                "best",
                Scores(o.prior_propensity, o.value),
                Channel.IN_CALL,
                (1 - epsilon) * (o is greedy) + epsilon / len(pool),
            )
            for o in pool
        )
        decision = Decision(f"D{i}", customer.id, AT, context, Mode.SELL, 600, False, cands)
        out.append((decision, {(shown.id, Channel.IN_CALL): result}))
    return out


REASONS = ("billing_inquiry", "repayment", "limit_inquiry", "card_activation", "other")
