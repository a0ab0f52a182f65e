"""Associations in use: a feature of the online model and an optional context weight."""

from __future__ import annotations

import datetime as dt

import pytest

from servesell.decide import Catalog, ContactPolicy, Engine
from servesell.domain import CallContext, Customer
from servesell.learn.adaptive import AdaptivePropensity
from servesell.learn.associations import Associations
from servesell.learn.features import FeatureSpace
from servesell.queueing.gate import AlwaysGate
from support.learning import SCHEMA, make_offer

AT = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
BASKETS = (
    [frozenset({"card", "o1"})] * 40
    + [frozenset({"card"})] * 10
    + [frozenset({"loan"})] * 50
    + [frozenset({"o1"})] * 10
    + [frozenset({"rare", "o1"})] * 5
)
RULES = Associations.fit(BASKETS, min_support=0.0)


def _customer(*held: str) -> Customer:
    attrs = {"age": 30, "income": 1.0, "segment": "mass", "app_user": True, "opened_on": None}
    return Customer("C1", attrs, holdings=frozenset(held))


def test_the_strongest_rule_needs_enough_customers() -> None:
    rule = RULES.strongest({"card", "rare"}, "o1", min_count=30)
    assert rule is not None
    assert rule.antecedent == "card"
    assert rule.lift == pytest.approx(0.8 / (55 / 115))
    assert RULES.strongest({"rare"}, "o1", min_count=30) is None
    assert rule.describe() == "customers who hold card take o1 1.7× more often (40 customers)"


def test_the_model_learns_a_weight_for_the_association_and_saves_the_rules() -> None:
    model = AdaptivePropensity(FeatureSpace(SCHEMA), associations=RULES)
    offer = make_offer("o1", prior=0.1)
    ctx = CallContext(at=AT)
    holder, other = _customer("card"), _customer("loan")
    assert model.propensity(offer, holder, ctx) == pytest.approx(0.1)
    for _ in range(30):
        model.update(offer, holder, ctx, accepted=True)
        model.update(offer, other, ctx, accepted=False)
    assert model.propensity(offer, holder, ctx) > model.propensity(offer, other, ctx)
    assert "assoc:lift[1.25,2)" in model.space.vocabulary
    again = AdaptivePropensity.from_state(model.state())
    assert again.propensity(offer, holder, ctx) == model.propensity(offer, holder, ctx)
    assert again.affinity(holder, offer) == model.affinity(holder, offer)


def test_associations_switched_off_leave_the_rows_as_they_were() -> None:
    plain = AdaptivePropensity(FeatureSpace(SCHEMA))
    offer = make_offer("o1")
    assert plain.affinity(_customer("card"), offer) == (1.0, None)
    assert not any(k.startswith("assoc:") for k in plain.space.vocabulary)


@pytest.mark.parametrize(("switch", "expected"), [(False, 1.0), (True, 0.8 / (55 / 115))])
def test_the_policy_switch_turns_the_association_into_a_context_weight(
    switch: bool, expected: float
) -> None:
    model = AdaptivePropensity(FeatureSpace(SCHEMA), associations=RULES)
    offer = make_offer("o1").model_copy(update={"rule": "age >= 18"})
    engine = Engine(
        Catalog([offer], SCHEMA),
        policy=ContactPolicy(explore_share=0.0, association_weight=switch),
        model=model,
        gate=AlwaysGate(budget_seconds=600),
    )
    decision = engine.decide(_customer("card"), CallContext(at=AT))
    candidate = decision.candidate("o1")
    assert candidate is not None
    assert candidate.scores.context_weight == pytest.approx(expected)
