"""The fast online path is the same model: compiled encoder and written-out update vs references.

The references are the straightforward definitions the speed work replaced: the
field-by-field encoder (:meth:`FeatureSpace.encode_reference`) and the assumed-density
filtering step of :mod:`servesell.learn.bayes_probit` as it was first written.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest
from tests.support.learning import AT, SCHEMA, make_customers, make_offer

from servesell.domain import CallContext, Channel, Customer
from servesell.learn import encoder
from servesell.learn.adaptive import AdaptivePropensity
from servesell.learn.bayes_probit import BayesProbit
from servesell.learn.features import FeatureSpace, SparseRow

ODD_VALUES = {
    "age": [None, 35, 35.5, float("nan"), float("inf"), True, "40", dt.date(2020, 1, 1)],
    "income": [None, 0, -1.5, 1e12, float("nan"), float("-inf"), False, "x"],
    "segment": [None, "mass", "", 7, 7.0, True, float("nan"), dt.date(2020, 1, 1)],
    "app_user": [None, True, False, 1, 0, "true", 1.0],
    "opened_on": [None, dt.date(2026, 3, 1), dt.date(2030, 1, 1), 5, 5.5, "x"],
}


def test_compiled_encoder_gives_the_reference_rows_on_odd_values() -> None:
    space = FeatureSpace(SCHEMA, edges={"age": [30, 50], "income": [1e4, 1e5]})
    rng = random.Random(3)
    for i in range(400):
        attrs = {name: rng.choice(values) for name, values in ODD_VALUES.items()}
        held = frozenset(rng.sample(["card", "loan", "deposit", "fund"], rng.randint(0, 3)))
        customer = Customer(f"C{i}", attrs, holdings=held)
        context = CallContext(at=AT, reason=rng.choice(["billing", "other", ""]))
        assert space.encode(customer, context) == space.encode_reference(customer, context)


def test_a_customer_seen_again_is_encoded_anew_when_the_profile_or_day_changed() -> None:
    space = FeatureSpace(SCHEMA, edges={"age": [30, 50], "income": [1e4, 1e5]})
    rng = random.Random(5)
    seen: dict[str, Customer] = {}
    for _ in range(2000):
        customer_id = f"C{rng.randint(0, 9)}"
        customer = seen.get(customer_id)
        if customer is None or rng.random() < 0.3:  # a new profile for the same id
            attrs = {name: rng.choice(values) for name, values in ODD_VALUES.items()}
            held = frozenset(rng.sample(["card", "loan", "deposit"], rng.randint(0, 2)))
            customer = seen[customer_id] = Customer(customer_id, attrs, holdings=held)
        elif rng.random() < 0.3:  # an equal profile in a new object (a replayed event)
            customer = Customer(customer_id, dict(customer.attributes), customer.holdings)
        at = AT + dt.timedelta(days=rng.choice([0, 0, 1, 400]))
        context = CallContext(at=at, reason=rng.choice(["billing", "other"]))
        assert space.encode(customer, context) == space.encode_reference(customer, context)


def test_the_customer_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder, "CUSTOMER_MEMO_LIMIT", 50)
    space = FeatureSpace(SCHEMA)
    context = CallContext(at=AT)
    for customer in make_customers(120, seed=2):
        assert space.encode(customer, context) == space.encode_reference(customer, context)
    memo = space._encode.__globals__["customers"]
    assert 0 < len(memo) <= 50


def test_compiled_encoder_survives_a_state_round_trip(customers: list[Customer]) -> None:
    space = FeatureSpace.fit(SCHEMA, customers[:300], at=AT.date())
    context = CallContext(at=AT)
    rows = [space.encode(c, context) for c in customers[:100]]
    copy = FeatureSpace.from_state(space.state())
    assert [copy.encode(c, context) for c in customers[:100]] == rows
    assert [copy.encode_reference(c, context) for c in customers[:100]] == rows


@pytest.mark.parametrize("decay", [0.0, 0.01])
def test_online_updates_give_the_reference_posterior(decay: float) -> None:
    customers = make_customers(300, seed=5)
    offers = [make_offer("o1", 0.1), make_offer("o2", 0.3)]
    model = AdaptivePropensity.for_customers(
        SCHEMA, customers, at=AT.date(), learner=BayesProbit(decay=decay)
    )
    reference: dict[str, tuple[list[float], list[float], float]] = {}
    rng = random.Random(11)
    for _ in range(3000):
        offer, customer = rng.choice(offers), rng.choice(customers)
        context = CallContext(at=AT, reason=rng.choice(["billing", "repayment"]))
        accepted = rng.random() < 0.2
        row = model.space.encode_reference(customer, context)
        model.update(offer, customer, context, accepted)
        learner = model.learners[offer.id]
        assert isinstance(learner, BayesProbit)
        if offer.id not in reference:
            cold = BayesProbit(decay=decay)
            cold.cold_start(offer.prior_propensity, model.norm2)
            reference[offer.id] = (cold.mean, cold.var, cold.bias_mean)
        _reference_step(reference[offer.id], row, accepted, learner)
    for offer_id, (mean, var, _) in reference.items():
        learner = model.learners[offer_id]
        assert isinstance(learner, BayesProbit)
        assert learner.mean == pytest.approx(mean, rel=1e-9, abs=1e-12)
        assert learner.var == pytest.approx(var, rel=1e-9, abs=1e-12)


def test_the_unit_prefix_changes_no_bit_of_the_posterior(customers: list[Customer]) -> None:
    space = FeatureSpace.fit(SCHEMA, customers[:300], at=AT.date())
    told, plain = BayesProbit(), BayesProbit()
    for learner in (told, plain):
        learner.cold_start(0.1, space.norm2)
    rng = random.Random(4)
    for customer in customers[:300]:
        row = space.encode(customer, CallContext(at=AT, reason=rng.choice(["a", "b"])))
        accepted = rng.random() < 0.2
        told.learn_one(row, accepted, space.unit_prefix)
        plain.learn_one(row, accepted)
    assert (told.mean, told.var) == (plain.mean, plain.var)


def test_a_message_answer_still_teaches_the_channel_shift(customers: list[Customer]) -> None:
    model = AdaptivePropensity.for_customers(SCHEMA, customers[:300], at=AT.date())
    offer, context = make_offer(), CallContext(at=AT)
    before = model.channel_propensity(offer, Channel.SMS, customers[0], context)
    for customer in customers[:50]:
        model.update(offer, customer, context, True, Channel.SMS)
    assert model.channel_propensity(offer, Channel.SMS, customers[0], context) > before
    assert model.evidence(offer, Channel.SMS) == 50
    assert model.evidence(offer) == 0


def _reference_step(
    state: tuple[list[float], list[float], float],
    row: SparseRow,
    accepted: bool,
    template: BayesProbit,
) -> None:
    """One update as first written: decay toward the prior, then moment matching."""
    mean, var, bias_mean = state
    ids, values = row
    while len(mean) <= max(ids):
        mean.append(0.0)
        var.append(template.prior_variance)
    for i in ids if template.decay else ():
        prior_var = template.bias_variance if i == 0 else template.prior_variance
        prior_mean = bias_mean if i == 0 else 0.0
        eps, vi = template.decay, var[i]
        new_var = vi * prior_var / ((1.0 - eps) * prior_var + eps * vi)
        mean[i] = new_var * ((1.0 - eps) * mean[i] / vi + eps * prior_mean / prior_var)
        var[i] = new_var
    m = sum(mean[i] * x for i, x in zip(ids, values, strict=True))
    v = sum(var[i] * x * x for i, x in zip(ids, values, strict=True))
    s2 = template.beta**2 + v
    y = 1.0 if accepted else -1.0
    t = y * m / math.sqrt(s2)
    cdf = 0.5 * math.erfc(-t / math.sqrt(2.0))
    g = -t if t < -30.0 else math.exp(-0.5 * t * t) / math.sqrt(2.0 * math.pi) / cdf
    for i, x in zip(ids, values, strict=True):
        mean[i] += y * g / math.sqrt(s2) * x * var[i]
        var[i] = max(var[i] * (1.0 - g * (g + t) / s2 * x * x * var[i]), 1e-6)
