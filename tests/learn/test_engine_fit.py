"""The adaptive model inside the real decision engine: ranking, Thompson exploration, update."""

from __future__ import annotations

from tests.support.decide import SCHEMA, context, customer, make_engine, offer

from servesell.decide import ContactPolicy
from servesell.domain import Fate, Outcome, OutcomeResult
from servesell.learn.adaptive import AdaptivePropensity
from servesell.learn.features import FeatureSpace


def test_the_engine_ranks_explores_and_the_model_learns_from_the_outcome() -> None:
    model = AdaptivePropensity(FeatureSpace(SCHEMA), seed=4)
    offers = [offer("o1", prior_propensity=0.2), offer("o2", prior_propensity=0.1, value=150.0)]
    policy = ContactPolicy(explore_share=0.5, exploration="thompson")
    engine = make_engine(offers, model=model, policy=policy, seed=4)
    who, ctx = customer("C1"), context()
    decision = engine.decide(who, ctx)
    scores = {c.offer_id: round(c.scores.propensity, 12) for c in decision.candidates}
    assert scores == {"o1": 0.2, "o2": 0.1}  # cold start: the catalog priors
    assert sum(c.probability for c in decision.candidates) <= 1.0 + 1e-9
    shown = decision.shown[0]
    model.observe(
        offers[0] if shown.offer_id == "o1" else offers[1],
        who,
        ctx,
        Outcome(decision.id, shown.offer_id, OutcomeResult.ACCEPTED, ctx.at),
    )
    after = engine.decide(who, ctx)
    learned = next(c for c in after.candidates if c.offer_id == shown.offer_id)
    assert learned.scores.propensity > scores[shown.offer_id]
    expectations = model.predict_expectations(offers, who, ctx)
    assert expectations[shown.offer_id].source == "learned"
    assert all(c.fate in (Fate.SHOWN, Fate.NOT_SELECTED) for c in after.candidates)
