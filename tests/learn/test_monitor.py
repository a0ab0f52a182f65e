"""Model monitoring: calibration by decile, take-up per week, and drift alarms with their rule."""

from __future__ import annotations

import datetime as dt
import random

from servesell.learn.monitor import Answer, watch

NOW = dt.datetime(2026, 3, 30, tzinfo=dt.UTC)


def _answers(n: int, *, predicted: float, rate: float, days_ago: float, seed: int) -> list[Answer]:
    rng = random.Random(seed)
    at = NOW - dt.timedelta(days=days_ago)
    return [Answer("card", "in_call", predicted, rng.random() < rate, at) for _ in range(n)]


def test_a_well_calibrated_steady_offer_raises_no_alarm() -> None:
    rows = _answers(600, predicted=0.2, rate=0.2, days_ago=2, seed=1)
    rows += _answers(600, predicted=0.2, rate=0.2, days_ago=15, seed=2)
    (card,) = watch(rows, now=NOW)
    assert card.alarms == ()
    assert sum(d.answers for d in card.deciles) == card.answers == 1200
    assert [w.week for w in card.weeks] == ["2026-W11", "2026-W13"]


def test_observed_take_up_far_from_the_prediction_fires_the_calibration_rule() -> None:
    rows = _answers(500, predicted=0.05, rate=0.15, days_ago=1, seed=3)
    (card,) = watch(rows, now=NOW)
    assert [a.rule for a in card.alarms] == ["calibration"]
    assert "predicted at 5.0% but taken by" in card.alarms[0].message


def test_take_up_that_moved_since_the_weeks_before_fires_the_shift_rule() -> None:
    rows = _answers(800, predicted=0.2, rate=0.1, days_ago=2, seed=4)
    rows += _answers(800, predicted=0.2, rate=0.2, days_ago=14, seed=5)
    (card,) = watch(rows, now=NOW)
    assert "take_up_shift" in [a.rule for a in card.alarms]
    shift = next(a for a in card.alarms if a.rule == "take_up_shift")
    assert shift.z < 0


def test_too_few_answers_never_alarm() -> None:
    rows = _answers(50, predicted=0.01, rate=0.5, days_ago=1, seed=6)
    assert watch(rows, now=NOW)[0].alarms == ()


def test_deciles_compare_prediction_with_observation_lowest_first() -> None:
    rows = [Answer("o", "sms", i / 100, i >= 50, NOW) for i in range(100)]
    (offer,) = watch(rows, now=NOW)
    assert [round(d.predicted, 3) for d in offer.deciles][:2] == [0.045, 0.145]
    assert [d.observed for d in offer.deciles] == [0.0] * 5 + [1.0] * 5


def test_the_delay_of_a_yes_is_reported_per_channel() -> None:
    rows = [Answer("o", "sms", 0.1, True, NOW, delay_seconds=7200.0),
            Answer("o", "sms", 0.1, False, NOW, delay_seconds=0.0)]  # fmt: skip
    assert watch(rows, now=NOW)[0].accept_delay_hours == 2.0
