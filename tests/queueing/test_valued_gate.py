"""The ``valued`` gate: a price on talk time steered like the ``steered`` threshold."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from servesell.domain import QueueState, ValuedGate
from servesell.queueing import GateSettings, HeadroomGate, SteeredThresholdGate, ValuedThresholdGate
from servesell.queueing.gate import GuardedValuedGate, SizedGuardValuedGate, ValuedHeadroomGate

T0 = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


def state(
    waiting: int, available: int, today: float | None = 0.81, late: float = 0.0
) -> QueueState:
    return QueueState(
        at=T0,
        calls_waiting=waiting,
        agents_staffed=40,
        agents_available=available,
        longest_wait_seconds=late,
        service_level_today=today,
    )


def typical(gate: ValuedThresholdGate, value: float = 1.0, times: int = 50) -> None:
    """Let the gate see ``times`` offers of ``value`` per talk second (the day's typical)."""
    for _ in range(times):
        gate.admits(None, value)


def test_an_offer_as_good_as_the_days_typical_one_gets_the_steered_threshold() -> None:
    gate = ValuedThresholdGate(buffer=0.0, step=0.005)
    steered = SteeredThresholdGate(buffer=0.0, step=0.005)
    typical(gate)
    for waiting in range(6):
        open_steered = steered.allowed_extra_seconds(state(waiting, 0)) > 0
        assert gate.admits(state(waiting, 0), 1.0) is open_steered


def test_better_paying_offers_may_be_made_with_more_callers_waiting() -> None:
    gate = ValuedThresholdGate(buffer=0.0, step=0.005, slope=1.0, spread=2.0)
    typical(gate)
    assert gate.max_waiting(0.81) == 2
    busy = state(3, 0)  # one call past the threshold
    assert not gate.admits(busy, 1.0)
    assert gate.admits(busy, math.e**2)
    assert not gate.admits(state(1, 0), math.exp(-2))  # poor offers need a shorter queue
    assert gate.admits(state(0, 1), math.exp(-2))
    assert not gate.admits(state(5, 0), 1e6)  # past the spread nothing is made
    assert gate.allowed_extra_seconds(state(5, 0)) == 0.0


def test_the_price_rises_with_the_queue_and_falls_with_the_days_level() -> None:
    gate = ValuedThresholdGate(buffer=0.0, step=0.005, spread=3.0)
    typical(gate)
    by_queue = [gate.talk_price(state(w, 0)) for w in range(5)]
    assert by_queue == sorted(by_queue)
    assert gate.talk_price(state(2, 0, today=0.83)) < gate.talk_price(state(2, 0, today=0.80))


def test_stop_late_prices_talk_out_while_the_head_of_the_queue_misses_the_target() -> None:
    gate = ValuedThresholdGate(stop_late=True)
    typical(gate)
    late = state(1, 0, today=0.95, late=25.0)
    assert math.isinf(gate.talk_price(late))
    assert gate.allowed_extra_seconds(late) == 0.0
    assert gate.admits(state(1, 0, today=0.95, late=5.0), 1.0)


def test_reset_forgets_the_days_typical_offer() -> None:
    gate = ValuedThresholdGate()
    typical(gate)
    assert gate.talk_price(state(2, 0)) > 0
    gate.reset()
    assert gate.talk_price(state(2, 0)) == 0.0


def test_the_valued_gate_is_selectable_and_priced() -> None:
    gate = GateSettings(kind="valued").build()
    assert gate.spec == "valued"
    assert isinstance(gate, ValuedGate)


def test_valued_gated_prices_around_the_erlang_a_reserve() -> None:
    gate = GateSettings(kind="valued_gated").build()
    assert isinstance(gate, ValuedHeadroomGate)
    plain = HeadroomGate(offer_seconds=60.0, buffer=-0.005)  # the valued_gated defaults
    typical(gate)
    for waiting, available in [(0, 6), (0, 2), (0, 0), (2, 0), (6, 0)]:
        now = QueueState(
            at=T0,
            calls_waiting=waiting,
            agents_staffed=40,
            agents_available=available,
            arrival_rate_per_hour=700.0,
            aht_seconds=180.0,
            service_level_today=0.81,
        )
        reserve = gate.slack_reserve(now)
        assert reserve == plain.slack_reserve(now)
        if reserve is not None and available - waiting >= reserve + gate.spread:
            assert gate.admits(now, math.exp(-10))  # far above the reserve: any offer
        if reserve is not None and available - waiting < reserve - gate.spread:
            assert not gate.admits(now, 1e9)  # far below it: none


def test_a_price_needs_a_positive_slope() -> None:
    with pytest.raises(ValueError, match="slope"):
        ValuedThresholdGate(slope=0)
    with pytest.raises(ValueError, match="spread"):
        ValuedHeadroomGate(spread=-1)


def busy_day(waiting: int, available: int, calls_today: int) -> QueueState:
    """A queue at 10:00 on a 100-calls-an-hour forecast (1,000 calls by now as planned)."""
    return QueueState(
        at=T0,
        calls_waiting=waiting,
        agents_staffed=10,
        agents_available=available,
        service_level_today=0.81,
        calls_today=calls_today,
        arrival_rate_per_hour=400.0,
        aht_seconds=90.0,
    )


def test_valued_guarded_is_valued_on_a_planned_day_and_guarded_on_a_busy_one() -> None:
    from servesell.queueing.forecast import DayForecast

    forecast = DayForecast(calls_per_hour=(100.0,) * 48, agents=(10,) * 48, aht_seconds=90.0)
    gate = GateSettings(kind="valued_guarded", forecast=forecast).build()
    valued = GateSettings(kind="valued", forecast=forecast).build()
    assert isinstance(gate, GuardedValuedGate)
    assert isinstance(valued, ValuedThresholdGate)
    assert gate.spec == "valued_guarded"
    typical(gate)
    typical(valued)
    planned, busy = busy_day(0, 1, 1000), busy_day(0, 1, 2000)
    assert gate.allowed_extra_seconds(planned) == valued.allowed_extra_seconds(planned) > 0
    assert gate.admits(busy_day(3, 0, 1000), math.e) == valued.admits(busy_day(3, 0, 1000), math.e)
    # busy: Erlang A (400 calls an hour on 10 agents) allows nothing, and no lift upwards
    assert valued.allowed_extra_seconds(busy) > 0
    assert gate.allowed_extra_seconds(busy) == 0.0
    past = busy_day(10, 0, 2000)  # past the highest threshold (8): only a lift admits
    assert valued.admits(past, 1e6)
    assert not gate.admits(past, 1e6)


@pytest.mark.parametrize("missing", ["forecast", "calls_today", "service_level_today"])
def test_valued_guarded_without_its_busy_day_signal_is_gateds_erlang_a_check(missing: str) -> None:
    from servesell.queueing.forecast import DayForecast

    forecast = DayForecast(calls_per_hour=(100.0,) * 48, agents=(10,) * 48, aht_seconds=90.0)
    gate = GateSettings(
        kind="valued_guarded", forecast=None if missing == "forecast" else forecast
    ).build()
    gated = GateSettings(kind="gated").build()
    assert isinstance(gate, GuardedValuedGate)
    typical(gate)
    for waiting, available, rate in ((0, 3, 100.0), (2, 0, 300.0), (6, 0, 400.0), (0, 0, 900.0)):
        now = QueueState(
            at=T0,
            calls_waiting=waiting,
            agents_staffed=10,
            agents_available=available,
            service_level_today=None if missing == "service_level_today" else 0.81,
            calls_today=None if missing == "calls_today" else 1000,
            arrival_rate_per_hour=rate,
            aht_seconds=90.0,
        )
        assert gate.blind(now)
        assert gate.allowed_extra_seconds(now) == gated.allowed_extra_seconds(now)
        # a poor offer with callers waiting is not priced out: gated decides alone
        assert gate.admits(now, 1e-6)


def test_the_demo_and_the_cli_play_the_live_default_gate() -> None:
    import inspect

    from servesell.cli.demo import demo
    from servesell.queueing.settings import DEFAULT_GATE_KIND
    from servesell.service.demo import DemoConfig

    assert GateSettings().kind == DEFAULT_GATE_KIND == DemoConfig().gate
    assert inspect.signature(demo).parameters["gate"].default == DEFAULT_GATE_KIND


def test_valued_sized_lets_a_small_centers_few_extra_calls_pass_as_noise() -> None:
    from servesell.queueing.forecast import DayForecast

    small = DayForecast(calls_per_hour=(10.0,) * 48, agents=(2,) * 48, aht_seconds=90.0)
    guarded = GateSettings(kind="valued_guarded", forecast=small).build()
    sized = GateSettings(kind="valued_sized", forecast=small).build()
    assert isinstance(sized, SizedGuardValuedGate)
    assert sized.spec == "valued_sized"
    four_percent_over = busy_day(0, 1, 108)  # (108 + 100) / (100 + 100): 1 sigma is 5% here
    assert guarded.busy_from(four_percent_over) == 1.03
    assert sized.busy_from(four_percent_over) == pytest.approx(1.05)
    typical(guarded)
    typical(sized)
    # Erlang A (400 calls an hour on 10 agents) allows nothing: only the guard asks it
    assert guarded.allowed_extra_seconds(four_percent_over) == 0.0
    assert sized.allowed_extra_seconds(four_percent_over) > 0
    sized.reset()
    typical(sized)
    assert sized.allowed_extra_seconds(busy_day(0, 1, 120)) == 0.0  # 2 sigma over
