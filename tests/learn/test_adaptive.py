from __future__ import annotations

import datetime as dt
import json
import pickle
import random

import numpy as np
import pytest
from tests.support.learning import AT, SCHEMA, make_offer, true_propensity

from servesell.domain import CallContext, Customer, Outcome, OutcomeResult, PropensityModel
from servesell.domain.offer import Channel
from servesell.learn.adaptive import AdaptivePropensity
from servesell.learn.beta_bernoulli import BetaBernoulli
from servesell.learn.features import FeatureSpace
from servesell.learn.metrics import score


def _model(customers: list[Customer], **kw: object) -> AdaptivePropensity:
    return AdaptivePropensity.for_customers(SCHEMA, customers[:1000], at=AT.date(), **kw)  # type: ignore[arg-type]


def _train(model: AdaptivePropensity, customers: list[Customer], n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    offers = [make_offer("o1", 0.1), make_offer("o2", 0.1)]
    for _ in range(n):
        c, o = rng.choice(customers), rng.choice(offers)
        model.update(o, c, CallContext(at=AT), rng.random() < true_propensity(o, c))


def test_it_is_the_engines_propensity_model(customers: list[Customer]) -> None:
    assert isinstance(_model(customers), PropensityModel)


def test_a_new_offer_starts_at_its_prior_for_everyone(
    customers: list[Customer], context: CallContext
) -> None:
    model = _model(customers)
    offer = make_offer("new", prior=0.031)
    assert {round(model.propensity(offer, c, context), 9) for c in customers[:300]} == {0.031}
    seen = model.predict_expectations([offer], customers[0], context)["new"]
    assert (seen.source, seen.outcomes, seen.prior) == ("prior", 0, 0.031)


def test_a_changed_prior_restarts_an_offer_without_evidence(
    customers: list[Customer], context: CallContext
) -> None:
    model = _model(customers)
    model.propensity(make_offer("o1", prior=0.1), customers[0], context)
    assert model.propensity(make_offer("o1", prior=0.3), customers[0], context) == pytest.approx(
        0.3
    )


def test_learning_ranks_customers_like_the_truth(customers: list[Customer]) -> None:
    model = _model(customers)
    _train(model, customers[:2000], 6000)
    offer, ctx = make_offer("o1"), CallContext(at=AT)
    test = customers[2000:]
    truth = [true_propensity(offer, c) for c in test]
    labels = [random.Random(i).random() < p for i, p in enumerate(truth)]
    learned = [model.propensity(offer, c, ctx) for c in test]
    y = np.array(labels, dtype=float)
    assert score(y, np.array(learned)).auc > score(y, np.array(truth)).auc - 0.03
    assert np.mean(learned) == pytest.approx(np.mean(truth), abs=0.02)
    seen = model.predict_expectations([offer], test[0], ctx)["o1"]
    assert seen.source == "learned"
    assert seen.outcomes > 2500


def test_state_survives_json_and_pickle(customers: list[Customer], context: CallContext) -> None:
    model = _model(customers, seed=3)
    _train(model, customers, 500)
    offer = make_offer("o1")
    before = [model.propensity(offer, c, context) for c in customers[:20]]
    for copy in (
        AdaptivePropensity.from_state(json.loads(json.dumps(model.state()))),
        pickle.loads(pickle.dumps(model)),
    ):
        assert [copy.propensity(offer, c, context) for c in customers[:20]] == before
        assert copy.seed == 3


def test_the_own_rng_is_seeded(customers: list[Customer], context: CallContext) -> None:
    offer = make_offer("o1")
    draws = [
        [_model(customers, seed=9).draw(offer, c, context) for c in customers[:5]] for _ in range(2)
    ]
    assert draws[0] == draws[1]


def test_accepts_and_declines_teach_the_learner_of_their_channel(
    customers: list[Customer], context: CallContext
) -> None:
    model = AdaptivePropensity(FeatureSpace(SCHEMA), learner=BetaBernoulli())
    offer, who = make_offer("o1"), customers[0]
    at = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)

    def outcome(result: OutcomeResult, channel: Channel = Channel.IN_CALL) -> Outcome:
        return Outcome("d1", "o1", result, at, channel=channel)

    assert model.observe(offer, who, context, outcome(OutcomeResult.ACCEPTED))
    assert model.observe(offer, who, context, outcome(OutcomeResult.DECLINED))
    assert not model.observe(offer, who, context, outcome(OutcomeResult.NOT_OFFERED))
    assert model.observe(offer, who, context, outcome(OutcomeResult.ACCEPTED, Channel.SMS))
    assert model.learners["o1"].n == 2
    assert model.learners["o1@sms"].n == 1


def test_a_digital_channel_starts_at_its_share_of_the_in_call_prior(
    customers: list[Customer], context: CallContext
) -> None:
    model = AdaptivePropensity(FeatureSpace(SCHEMA))
    offer, who = make_offer("o1", prior=0.1), customers[0]
    assert model.channel_propensity(offer, Channel.SMS, who, context) == pytest.approx(0.03)
    assert model.channel_propensity(offer, Channel.EMAIL, who, context) == pytest.approx(0.015)
    again = AdaptivePropensity.from_state(model.state())
    assert again.digital_prior == model.digital_prior
