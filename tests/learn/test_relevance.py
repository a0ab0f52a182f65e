"""The relevance view: irrelevant fields shrink, relevant ones move, copies predict alike."""

from __future__ import annotations

import json
import random

import pytest

from servesell.learn.base import learner_from_state
from servesell.learn.bayes_probit import BayesProbit
from servesell.learn.relevance import relevance_view

GROUPS = [-1, 0, 0, 1, 1, 2]
"""The bias, a two-bin field that decides, a two-bin field that does not, a reason."""


def _rows(n: int, seed: int) -> list[tuple[tuple[list[int], list[float]], bool]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        good, noise = rng.randrange(2), rng.randrange(2)
        row = ([0, 1 + good, 3 + noise, 5], [1.0, 1.0, 1.0, 1.0])
        out.append((row, rng.random() < (0.4 if good else 0.05)))
    return out


def _learner(every: int = 10) -> BayesProbit:
    learner = BayesProbit(prior_variance=0.025, relevance_every=every)
    learner.groups = GROUPS
    learner.cold_start(0.1, norm2=4.0)
    return learner


def test_view_shrinks_the_field_that_does_not_matter_and_frees_the_one_that_does() -> None:
    learner = _learner()
    for row, accepted in _rows(2000, seed=3):
        learner.learn_one(row, accepted, ones=4)
    view, var = relevance_view(learner.mean, learner.var, GROUPS, 0.025, 3.0)
    assert abs(view[3] - view[4]) < abs(learner.mean[3] - learner.mean[4])
    assert abs(view[1] - view[2]) > abs(learner.mean[1] - learner.mean[2])
    assert var == learner.var


def test_view_keeps_the_average_score_by_moving_what_a_field_loses_to_the_bias() -> None:
    mean = [-1.0, 0.2, 0.2, 0.05, 0.03]
    var = [0.01, 0.01, 0.01, 0.01, 0.01]
    view, _ = relevance_view(mean, var, [-1, 0, 0, 1, 1], 0.05, 3.0)
    assert view[0] + (view[3] + view[4]) / 2 == pytest.approx(mean[0] + (mean[3] + mean[4]) / 2)


def test_copies_that_learned_the_same_predict_the_same_whenever_they_predict() -> None:
    one, two = _learner(), _learner()
    probe = ([0, 2, 3, 5], [1.0, 1.0, 1.0, 1.0])
    for k, (row, accepted) in enumerate(_rows(95, seed=4)):
        one.learn_one(row, accepted, ones=4)
        two.learn_one(row, accepted, ones=4)
        if k % 7 == 0:
            one.predict_one(probe)
    assert one.predict_one(probe) == two.predict_one(probe)
    restored = learner_from_state(json.loads(json.dumps(one.state())))
    assert isinstance(restored, BayesProbit)
    restored.groups = GROUPS
    assert restored.predict_one(probe) == one.predict_one(probe)


def test_the_update_is_the_same_with_or_without_the_view() -> None:
    plain, viewed = _learner(every=0), _learner(every=5)
    for row, accepted in _rows(300, seed=5):
        plain.learn_one(row, accepted, ones=4)
        viewed.learn_one(row, accepted, ones=4)
    assert plain.mean == viewed.mean
    assert plain.var == viewed.var


@pytest.mark.parametrize(("every", "cap"), [(-1, 3.0), (5, 0.5)])
def test_invalid_relevance_settings_are_refused(every: int, cap: float) -> None:
    with pytest.raises(ValueError, match="relevance"):
        BayesProbit(relevance_every=every, relevance_cap=cap)


def test_without_the_fields_of_the_features_a_learner_predicts_from_its_posterior() -> None:
    bare, plain = BayesProbit(relevance_every=5), BayesProbit()
    bare.cold_start(0.1, norm2=4.0)
    plain.cold_start(0.1, norm2=4.0)
    probe = ([0, 2, 3, 5], [1.0, 1.0, 1.0, 1.0])
    for row, accepted in _rows(12, seed=6):
        bare.learn_one(row, accepted, ones=4)
        plain.learn_one(row, accepted, ones=4)
    assert bare.predict_one(probe) == plain.predict_one(probe)
