"""The contract every online learner keeps: clone, pickle, state, seeding, cold start."""

from __future__ import annotations

import json
import math
import pickle
import random
from statistics import NormalDist

import pytest

from servesell.learn.base import Learner, learner_from_state, learner_kinds
from servesell.learn.bayes_probit import BayesProbit
from servesell.learn.beta_bernoulli import BetaBernoulli

LEARNERS = [BayesProbit(), BayesProbit(decay=0.01, sample_scale=1.0), BetaBernoulli()]
ROWS = [([0, 3, 7, 9], [1.0, 1.0, 1.0, 0.5]), ([0, 4, 8, 12], [1.0, 1.0, 0.5, 1.0])]
NORM2 = 3.25
"""Squared norm of every row here, as a feature space guarantees."""


def _trained(learner: Learner) -> Learner:
    fresh = learner.clone()
    fresh.cold_start(0.2, NORM2)
    for i in range(200):
        fresh.learn_one(ROWS[i % 2], accepted=i % 3 == 0)
    return fresh


@pytest.fixture(params=LEARNERS, ids=lambda learner: f"{learner.kind}{learner.params()}")
def learner(request: pytest.FixtureRequest) -> Learner:
    return _trained(request.param)


def test_every_learner_kind_is_in_the_contract_suite() -> None:
    assert sorted({x.kind for x in LEARNERS}) == learner_kinds()


def test_cold_start_predicts_the_prior_for_every_row(learner: Learner) -> None:
    fresh = learner.clone()
    fresh.cold_start(0.07, NORM2)
    for row in ([0, 1, 2, 3], [1.0, 1.0, 0.5, 1.0]), ([0, 5, 6, 9], [1.0, 1.0, 1.0, 0.5]):
        assert fresh.predict_one(row) == pytest.approx(0.07, abs=1e-9)
    assert fresh.n == 0


def test_clone_keeps_settings_and_forgets_learning(learner: Learner) -> None:
    fresh = learner.clone()
    assert type(fresh) is type(learner)
    assert fresh.params() == learner.params()
    assert fresh.n == 0
    fresh.cold_start(0.2, NORM2)
    assert fresh.predict_one(ROWS[0]) != pytest.approx(learner.predict_one(ROWS[0]), abs=1e-6)


def test_pickle_round_trip_predicts_the_same(learner: Learner) -> None:
    copy = pickle.loads(pickle.dumps(learner))
    assert [copy.predict_one(r) for r in ROWS] == [learner.predict_one(r) for r in ROWS]


def test_state_is_json_and_round_trips(learner: Learner) -> None:
    state = json.loads(json.dumps(learner.state()))
    copy = learner_from_state(state)
    assert [copy.predict_one(r) for r in ROWS] == [learner.predict_one(r) for r in ROWS]
    assert (copy.n, copy.positives, copy.prior) == (learner.n, learner.positives, learner.prior)


def test_sampling_is_reproducible_from_the_seed(learner: Learner) -> None:
    first = [learner.sample_one(ROWS[0], random.Random(5)) for _ in range(3)]
    again = [learner.sample_one(ROWS[0], random.Random(5)) for _ in range(3)]
    assert first == again
    assert len({learner.sample_one(ROWS[0], random.Random(s)) for s in range(5)}) > 1


def test_samples_average_to_the_prediction(learner: Learner) -> None:
    rng = random.Random(1)
    mean = sum(learner.sample_one(ROWS[1], rng) for _ in range(4000)) / 4000
    assert mean == pytest.approx(learner.predict_one(ROWS[1]), abs=0.02)


def test_tempered_draws_of_a_rare_offer_average_to_its_prediction() -> None:
    learner = BayesProbit(sample_scale=0.25)
    learner.cold_start(0.015, norm2=4.0)
    rng = random.Random(2)
    mean = sum(learner.sample_one(ROWS[1], rng) for _ in range(20_000)) / 20_000
    assert mean == pytest.approx(learner.predict_one(ROWS[1]), rel=0.05)


def test_inflated_draws_average_to_the_prediction_of_a_wider_posterior() -> None:
    learner = BayesProbit(sample_scale=0.1, draw_inflation=3.0)
    learner.cold_start(0.015, norm2=4.0)
    m, v = learner.score(ROWS[1])
    wider = NormalDist().cdf(m / math.sqrt(learner.beta**2 + 3.0 * v))
    rng = random.Random(3)
    mean = sum(learner.sample_one(ROWS[1], rng) for _ in range(20_000)) / 20_000
    assert mean == pytest.approx(wider, rel=0.02)
    assert wider > learner.predict_one(ROWS[1])  # optimism for a rare offer


def test_accepts_raise_and_declines_lower_the_prediction(learner: Learner) -> None:
    before = learner.predict_one(ROWS[0])
    up, down = learner_from_state(learner.state()), learner_from_state(learner.state())
    for _ in range(20):
        up.learn_one(ROWS[0], accepted=True)
        down.learn_one(ROWS[0], accepted=False)
    assert down.predict_one(ROWS[0]) < before < up.predict_one(ROWS[0])
    assert learner.uncertainty_one(ROWS[0]) >= 0.0


def test_predictions_stay_strictly_inside_zero_and_one(learner: Learner) -> None:
    for _ in range(500):
        learner.learn_one(ROWS[0], accepted=False)
    p = learner.predict_one(ROWS[0])
    assert 0.0 < p < 1.0
