"""The ``gated`` gate with the day's forecast: it steers towards the end-of-day level."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from servesell.domain.queue import QueueState
from servesell.queueing import GateSettings, HeadroomGate
from servesell.queueing.forecast import DayForecast
from servesell.sim.plan import ScenarioSpec
from servesell.sim.scenario import Scenario

BUSY, QUIET = 400.0, 40.0
"""Calls per hour of a busy and a quiet hour; 20 agents handle 400 an hour at 3 minutes."""


def _forecast(evening: float) -> DayForecast:
    """Busy from 08:00 to 18:00, then ``evening`` calls per hour until midnight."""
    rates = (0.0,) * 8 + (BUSY,) * 10 + (evening,) * 6
    agents = (0,) * 8 + (24,) * 16
    return DayForecast(calls_per_hour=rates, agents=agents, interval_seconds=3600, aht_seconds=180)


def _state(hour: int, calls: int, today: float = 0.85, **extra: object) -> QueueState:
    fields: dict[str, object] = {
        "at": dt.datetime(2026, 3, 2, hour, tzinfo=dt.UTC),
        "calls_waiting": 0,
        "agents_staffed": 24,
        "agents_available": 2,
        "arrival_rate_per_hour": BUSY,
        "aht_seconds": 180.0,
        "service_level_today": today,
        "calls_today": calls,
        **extra,
    }
    return QueueState.model_validate(fields)


def test_forecast_needs_as_many_agents_as_rates_and_fits_in_a_day() -> None:
    with pytest.raises(ValidationError, match="intervals"):
        DayForecast(calls_per_hour=(1.0, 2.0), agents=(1,))
    with pytest.raises(ValidationError, match="past the end of the day"):
        DayForecast(calls_per_hour=(1.0,) * 25, agents=(1,) * 25, interval_seconds=3600)


def test_a_quiet_evening_ahead_lowers_the_running_aim_below_target() -> None:
    gate = HeadroomGate(forecast=_forecast(QUIET), safety=0.01)
    aim = gate.day_aim(_state(12, calls=1600))
    assert aim is not None
    assert aim < 0.81


def test_with_no_quiet_hours_left_the_aim_is_target_plus_safety() -> None:
    gate = HeadroomGate(forecast=_forecast(BUSY), safety=0.01)
    assert gate.day_aim(_state(12, calls=1600)) == pytest.approx(0.81)


def test_a_day_busier_than_forecast_aims_higher() -> None:
    gate = HeadroomGate(forecast=_forecast(QUIET), safety=0.01)
    as_planned = gate.day_aim(_state(12, calls=1600))
    busier = gate.day_aim(_state(12, calls=2400))
    assert as_planned is not None
    assert busier is not None
    assert busier > as_planned


def test_the_aim_never_drops_more_than_ten_points() -> None:
    gate = HeadroomGate(forecast=_forecast(QUIET), safety=0.01)
    aim = gate.day_aim(_state(8, calls=1))
    assert aim == pytest.approx(0.71)


def test_without_a_forecast_or_call_count_the_gate_steers_as_before() -> None:
    plain = HeadroomGate()
    with_forecast = HeadroomGate(forecast=_forecast(QUIET))
    assert with_forecast.day_aim(_state(12, calls=1600, calls_today=None)) is None
    assert plain.day_aim(_state(12, calls=1600)) is None
    for waiting, idle, today in [(0, 2, 0.85), (0, 0, 0.9), (3, 0, 0.75), (0, 5, 0.8)]:
        state = _state(12, calls=0, today=today, calls_waiting=waiting, agents_available=idle)
        state = state.model_copy(update={"calls_today": None})
        assert with_forecast.allowed_extra_seconds(state) == plain.allowed_extra_seconds(state)


def test_the_end_of_day_aim_sells_where_the_running_aim_would_not() -> None:
    state = _state(12, calls=1600, today=0.80, calls_waiting=1, agents_available=0)
    assert HeadroomGate().allowed_extra_seconds(state) == 0.0
    assert HeadroomGate(forecast=_forecast(QUIET)).allowed_extra_seconds(state) > 0.0


def test_past_the_forecast_the_gate_falls_back_to_the_running_aim() -> None:
    short = DayForecast(calls_per_hour=(BUSY,) * 12, agents=(24,) * 12, interval_seconds=3600)
    assert HeadroomGate(forecast=short).day_aim(_state(13, calls=1600)) is None


def test_gate_settings_carry_the_forecast_to_the_gate_and_back() -> None:
    settings = GateSettings(kind="gated", forecast=_forecast(QUIET), safety=0.02)
    gate = settings.build()
    assert isinstance(gate, HeadroomGate)
    assert gate.forecast == settings.forecast
    assert gate.safety == 0.02
    assert GateSettings.model_validate_json(settings.model_dump_json()) == settings
    assert GateSettings(kind="threshold", forecast=_forecast(QUIET)).build().spec == "threshold:2"
    assert GateSettings().forecast is None


def test_the_twin_gate_sees_the_design_forecast_whatever_the_load() -> None:
    spec = ScenarioSpec(name="x", calls_per_day=2000, hourly_shape=[1.0] * 24)
    design, peak = spec.scenario("design"), spec.scenario("peak")
    assert peak.forecast == design.forecast
    assert peak.calls_per_hour != design.calls_per_hour
    plain = Scenario(calls_per_hour=(10.0, 20.0), agents=(1, 2))
    assert plain.forecast.calls_per_hour == (10.0, 20.0)


def test_calls_by_is_the_sum_over_the_intervals_started() -> None:
    import random

    def summed(f: DayForecast, seconds: float) -> float:
        total = 0.0
        for k, rate in enumerate(f.calls_per_hour):
            start = k * f.interval_seconds
            if start >= seconds:
                break
            total += rate * (min(seconds, start + f.interval_seconds) - start) / 3600.0
        return total

    rng = random.Random(3)
    for width in (1800.0, 900.0, 1234.567, 600.1):
        n = int(86_400 // width)
        f = DayForecast(
            calls_per_hour=tuple(rng.uniform(0, 500) for _ in range(n)),
            agents=(3,) * n,
            interval_seconds=width,
        )
        points = [-5.0, 0.0, width, 2 * width, n * width, 90_000.0]
        points += [rng.uniform(0, 86_400) for _ in range(200)]
        assert [f.calls_by(s) for s in points] == [summed(f, s) for s in points]
