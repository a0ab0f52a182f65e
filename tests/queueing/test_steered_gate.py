"""The ``steered`` gate: a calls-waiting threshold moved by the day's running service level."""

from __future__ import annotations

import datetime as dt

import pytest

from servesell.domain import QueueState
from servesell.queueing import GateSettings, SteeredThresholdGate, ThresholdGate

T0 = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


def state(waiting: int, available: int, today: float | None) -> QueueState:
    return QueueState(
        at=T0,
        calls_waiting=waiting,
        agents_staffed=40,
        agents_available=available,
        service_level_today=today,
    )


def test_a_day_running_further_above_target_sells_with_more_callers_waiting() -> None:
    gate = SteeredThresholdGate(buffer=0.0, step=0.01, least_waiting=-4, most_waiting=5)
    levels = [0.70, 0.78, 0.795, 0.80, 0.815, 0.83, 0.86, 0.99]
    allowed = [gate.max_waiting(level) for level in levels]
    assert allowed == sorted(allowed)
    assert allowed[0] == -4
    assert allowed[-1] == 5
    assert gate.max_waiting(0.80) == 0


def test_below_the_aim_it_sells_only_with_agents_idle() -> None:
    gate = SteeredThresholdGate(buffer=0.0, step=0.01, least_waiting=-3)
    assert gate.max_waiting(0.78) == -2
    assert gate.allowed_extra_seconds(state(0, 1, 0.78)) == 0.0
    gate.reset()
    assert gate.allowed_extra_seconds(state(0, 2, 0.78)) > 0


def test_above_the_aim_it_is_the_threshold_on_calls_waiting() -> None:
    gate = SteeredThresholdGate(buffer=0.0, step=0.01)
    assert gate.max_waiting(0.825) == 2
    for waiting in range(6):
        gate.reset()
        threshold = ThresholdGate(2)
        same = threshold.allowed_extra_seconds(state(waiting, 0, 0.825))
        assert gate.allowed_extra_seconds(state(waiting, 0, 0.825)) == same


def test_without_the_days_level_it_is_the_configured_threshold() -> None:
    gate = GateSettings(kind="steered", max_waiting=3).build()
    assert isinstance(gate, SteeredThresholdGate)
    assert gate.max_waiting(None) == 3
    assert gate.allowed_extra_seconds(state(3, 0, None)) > 0
    assert gate.allowed_extra_seconds(state(4, 0, None)) == 0.0


def test_the_steered_gate_is_selectable_and_the_live_default_is_the_guarded_valued_one() -> None:
    assert GateSettings(kind="steered").build().spec == "steered"
    assert GateSettings().build().spec == "valued_guarded"


def guarded_state(today: float, calls_today: int) -> QueueState:
    """A queue the threshold would sell on (nobody waiting, one idle) but Erlang A would not."""
    return QueueState(
        at=T0,
        calls_waiting=0,
        agents_staffed=10,
        agents_available=1,
        service_level_today=today,
        calls_today=calls_today,
        arrival_rate_per_hour=400.0,
        aht_seconds=90.0,
    )


def test_the_guard_asks_gated_too_when_the_day_runs_below_target_and_only_then() -> None:
    plain = SteeredThresholdGate(buffer=0.0, step=0.01)
    guarded = SteeredThresholdGate(buffer=0.0, step=0.01, guard=0.0)
    assert plain.allowed_extra_seconds(guarded_state(0.79, 100)) > 0
    assert guarded.allowed_extra_seconds(guarded_state(0.79, 100)) == 0.0
    assert guarded.allowed_extra_seconds(guarded_state(0.81, 100)) > 0


def test_a_load_guard_acts_only_on_a_day_busier_than_forecast() -> None:
    from servesell.queueing.forecast import DayForecast

    forecast = DayForecast(calls_per_hour=(100.0,) * 48, agents=(10,) * 48, aht_seconds=90.0)
    gate = SteeredThresholdGate(
        buffer=0.0, step=0.01, guard=0.0, guard_load=1.05, forecast=forecast
    )
    as_planned = 1000  # 10 hours of 100 calls an hour by 10:00
    assert gate.allowed_extra_seconds(guarded_state(0.79, as_planned)) > 0
    gate.reset()
    assert gate.allowed_extra_seconds(guarded_state(0.79, 2 * as_planned)) == 0.0


def test_guard_either_guards_a_busy_day_whatever_its_level() -> None:
    from servesell.queueing.forecast import DayForecast

    forecast = DayForecast(calls_per_hour=(100.0,) * 48, agents=(10,) * 48, aht_seconds=90.0)
    gate = SteeredThresholdGate(
        buffer=0.0, step=0.01, guard=-0.1, guard_load=1.05, guard_either=True, forecast=forecast
    )
    as_planned = 1000  # 10 hours of 100 calls an hour by 10:00
    assert gate.allowed_extra_seconds(guarded_state(0.8, as_planned)) > 0
    gate.reset()
    assert gate.allowed_extra_seconds(guarded_state(0.8, 2 * as_planned)) == 0.0
    gate.reset()
    assert gate.allowed_extra_seconds(guarded_state(0.65, as_planned)) == 0.0  # far below


def test_the_load_safety_raises_the_aim_only_on_a_day_busier_than_forecast() -> None:
    from servesell.queueing.forecast import DayForecast

    forecast = DayForecast(calls_per_hour=(100.0,) * 48, agents=(10,) * 48, aht_seconds=90.0)
    plain = SteeredThresholdGate(forecast=forecast)
    safe = SteeredThresholdGate(forecast=forecast, load_safety=0.2)
    as_planned, busy = guarded_state(0.85, 1000), guarded_state(0.85, 1500)
    assert safe.aim(as_planned) == plain.aim(as_planned)
    assert safe.aim(busy) > plain.aim(busy)


def test_a_noise_scaled_guard_needs_a_larger_excess_in_a_smaller_center() -> None:
    from servesell.queueing.forecast import DayForecast

    small = DayForecast(calls_per_hour=(10.0,) * 48, agents=(2,) * 48, aht_seconds=90.0)
    large = DayForecast(calls_per_hour=(1000.0,) * 48, agents=(100,) * 48, aht_seconds=90.0)
    at_ten = guarded_state(0.8, 0)
    fixed = SteeredThresholdGate(guard=-0.1, guard_load=1.03, guard_either=True, forecast=small)
    assert fixed.busy_from(at_ten) == 1.03
    bars = [
        SteeredThresholdGate(
            guard=-0.1, guard_load=1.03, guard_either=True, guard_noise=2.0, forecast=forecast
        ).busy_from(at_ten)
        for forecast in (small, large)
    ]
    assert bars[0] == pytest.approx(1.1)  # 100 calls by 10:00: 2 sigma is 10%
    assert bars[1] == 1.03  # 10,000 calls: 2 sigma (2%) is below guard_load
    gate = SteeredThresholdGate(
        buffer=0.0,
        step=0.01,
        guard=-0.1,
        guard_load=1.03,
        guard_either=True,
        guard_noise=2.0,
        forecast=small,
    )
    assert gate.allowed_extra_seconds(guarded_state(0.8, 110)) > 0  # 10% over: noise here
    gate.reset()
    assert gate.allowed_extra_seconds(guarded_state(0.8, 200)) == 0.0


def test_a_busy_day_projected_to_end_well_above_target_is_released_from_the_guard() -> None:
    from servesell.queueing.forecast import DayForecast

    forecast = DayForecast(calls_per_hour=(50.0,) * 48, agents=(10,) * 48, aht_seconds=90.0)

    def gate(release: float | None) -> SteeredThresholdGate:
        return SteeredThresholdGate(
            buffer=0.0,
            step=0.01,
            guard=-0.1,
            guard_load=1.05,
            guard_either=True,
            guard_release=release,
            forecast=forecast,
        )

    busy = guarded_state(0.8, 1000)  # twice the forecast's 500 calls by 10:00
    projected = gate(None).projected_level(busy)
    assert projected is not None
    # aim 0.7 (the quiet rest of the day credits its most); 700 calls to come x load 1100/600
    assert projected == pytest.approx(0.8 + 0.1 * 1000 / (1000 + 700 * 1100 / 600))
    assert gate(None).allowed_extra_seconds(busy) == 0.0
    assert gate(0.0).allowed_extra_seconds(busy) > 0  # projected above target + 0
    assert gate(0.1).allowed_extra_seconds(busy) == 0.0  # not above target + 10 points
    assert SteeredThresholdGate(guard_release=0.02).projected_level(busy) == 0.8  # no forecast
