"""The campaign statistics: SRM alarm, intervals, CUPED, confidence sequences, BH."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servesell.campaigns import (
    Unit,
    benjamini_hochberg,
    confidence_sequence,
    cuped_lift,
    evaluate,
    mean_lift,
    proportion_lift,
    split_audience,
    srm,
)
from servesell.domain.campaign import Campaign
from servesell.report.costs import CostModel


def test_the_alarm_fires_on_an_injected_45_55_split() -> None:
    units = [Unit(f"C{i}", treated=i < 1100, converted=False, revenue=0.0) for i in range(2000)]
    verdict = evaluate(units, control_share=0.5, costs=CostModel(), days=1)
    assert verdict.srm.alarm
    assert verdict.srm.p_value < 1e-5


def test_the_alarm_stays_quiet_on_fair_hash_splits() -> None:
    ids = [f"C{i:07d}" for i in range(5000)]
    for n in range(20):
        for share in (0.5, 0.2):
            campaign = Campaign(id=f"camp-{n}", name="c", offers=("o",), control_share=share)
            treated, held = split_audience(campaign, ids)
            assert not srm(len(treated), len(held), control_share=share).alarm


def test_srm_needs_a_planned_split() -> None:
    assert not srm(0, 0, control_share=0.5).alarm
    assert srm(10, 0, control_share=0.0).p_value == 1.0


def test_newcombe_interval_matches_the_published_example() -> None:
    # Newcombe (1998), example (a): 56/70 vs 48/80 → 0.0524 to 0.3339
    e = proportion_lift(56, 70, 48, 80)
    assert (round(e.low, 4), round(e.high, 4)) == (0.0524, 0.3339)


def test_cuped_without_a_covariate_is_the_plain_difference() -> None:
    rng = random.Random(3)
    y_t = [rng.random() for _ in range(200)]
    y_c = [rng.random() for _ in range(150)]
    plain = mean_lift(y_t, y_c)
    adjusted, theta = cuped_lift(y_t, [1.0] * 200, y_c, [1.0] * 150)
    assert theta == 0.0
    assert adjusted.estimate == pytest.approx(plain.estimate)
    assert adjusted.se == pytest.approx(plain.se)


def test_cuped_narrows_the_interval_when_the_past_predicts_the_outcome() -> None:
    rng = random.Random(4)
    x_t = [rng.gauss(0, 1) for _ in range(500)]
    x_c = [rng.gauss(0, 1) for _ in range(500)]
    y_t = [1.0 + 2 * x + rng.gauss(0, 0.5) for x in x_t]
    y_c = [2 * x + rng.gauss(0, 0.5) for x in x_c]
    adjusted, theta = cuped_lift(y_t, x_t, y_c, x_c)
    assert theta == pytest.approx(2.0, abs=0.1)
    assert adjusted.se < mean_lift(y_t, y_c).se / 3
    assert adjusted.covers(1.0)


@given(st.integers(20, 5000))
def test_a_confidence_sequence_is_wider_than_the_fixed_interval(n: int) -> None:
    e = proportion_lift(n // 4, n, n // 5, n)
    seq = confidence_sequence(e)
    assert seq.low < e.low
    assert seq.high > e.high
    assert not math.isnan(seq.low)


def test_benjamini_hochberg_controls_discoveries() -> None:
    found = benjamini_hochberg([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205])
    assert [d for d, _ in found] == [True, True, False, False, False, False, False, False]
    assert benjamini_hochberg([]) == []


def test_no_hold_out_is_said_not_hidden() -> None:
    units = [Unit(f"C{i}", treated=True, converted=i % 3 == 0, revenue=10.0) for i in range(30)]
    verdict = evaluate(units, control_share=0.0, costs=CostModel(), days=1)
    assert verdict.notes == ["no held-out customers: lift cannot be measured"]
    assert math.isnan(verdict.conversion.estimate)
    assert verdict.costs.incremental_revenue == 0.0
