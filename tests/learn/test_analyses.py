"""Associations, uplift intervals and the scores of a ranking."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servesell.learn.associations import Associations
from servesell.learn.metrics import expected_auc, score
from servesell.learn.uplift import UpliftRow, measure_uplift, newcombe, wilson


def test_rules_carry_support_confidence_and_lift() -> None:
    baskets = [frozenset({"card", "loan"})] * 30 + [frozenset({"card"})] * 50
    baskets += [frozenset({"deposit"})] * 20
    found = Associations.fit(baskets, min_support=0.05)
    rule = found.rule("loan", "card")
    assert rule is not None
    assert (rule.count, rule.support, rule.confidence) == (30, 0.3, 1.0)
    assert rule.lift == pytest.approx(1 / 0.8)
    assert found.rule("deposit", "card") is None
    assert found.score({"loan"}, "card") == pytest.approx(1.25)
    assert found.score({"deposit"}, "card") == 1.0


def test_uplift_is_split_by_segment_with_an_overall_row() -> None:
    rows = [UpliftRow("o1", "mass", True, i < 30) for i in range(100)]
    rows += [UpliftRow("o1", "mass", False, i < 10) for i in range(100)]
    rows += [UpliftRow("o1", "affluent", True, i < 5) for i in range(50)]
    found = {u.segment: u for u in measure_uplift(rows)}
    assert list(found) == ["all", "affluent", "mass"]
    mass = found["mass"]
    assert mass.uplift == pytest.approx(0.2)
    assert mass.low < 0.2 < mass.high
    assert mass.significant
    assert math.isnan(found["affluent"].low)  # no control customers in that segment


@given(st.integers(0, 60), st.integers(1, 60), st.integers(0, 60), st.integers(1, 60))
def test_newcombe_intervals_contain_the_observed_difference(
    x1: int, n1: int, x2: int, n2: int
) -> None:
    x1, x2 = min(x1, n1), min(x2, n2)
    low, high = newcombe(x1, n1, x2, n2)
    assert -1 <= low <= x1 / n1 - x2 / n2 <= high <= 1
    wl, wh = wilson(x1, n1)
    assert 0 <= wl <= x1 / n1 <= wh <= 1


def test_scores_of_a_perfect_and_a_reversed_ranking() -> None:
    y = np.array([0] * 90 + [1] * 10)
    p = np.linspace(0.01, 0.99, 100)
    perfect = score(y, p)
    assert perfect.auc == 1.0
    assert perfect.top[1].hits == 10
    assert perfect.top[1].lift == pytest.approx(10.0)
    assert score(y, p[::-1]).auc == 0.0
    assert expected_auc(p, y.astype(float)) == 1.0
    assert expected_auc(np.ones(100), p) == pytest.approx(0.5)
