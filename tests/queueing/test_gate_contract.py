"""Every gate policy honours the decision engine's LoadGate contract."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from servesell.domain import LoadGate, Mode, QueueState
from servesell.queueing import POLICIES, GatePolicy, HeadroomGate, make_gate

SPECS = [
    "never",
    "always",
    "threshold:0",
    "threshold:3",
    "gated",
    "steered",
    "valued",
    "valued_gated",
    "valued_guarded",
    "valued_sized",
]
T0 = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


def state(
    waiting: int, available: int, *, seconds: float = 0.0, rate: float = 1200.0
) -> QueueState:
    return QueueState(
        at=T0 + dt.timedelta(seconds=seconds),
        calls_waiting=waiting,
        agents_staffed=80,
        agents_available=available,
        arrival_rate_per_hour=rate,
        aht_seconds=187.0,
    )


def test_every_registered_policy_is_covered() -> None:
    assert {s.partition(":")[0] for s in SPECS} == set(POLICIES)


@pytest.fixture(params=SPECS)
def gate(request: pytest.FixtureRequest) -> GatePolicy:
    return make_gate(request.param)


def test_gate_is_a_load_gate(gate: GatePolicy) -> None:
    assert isinstance(gate, LoadGate)


def test_allowance_is_zero_exactly_when_serving(gate: GatePolicy) -> None:
    for s in (state(0, 20), state(30, 0), None):
        seconds = gate.allowed_extra_seconds(s)
        assert 0 <= seconds <= gate.budget_seconds
        assert (seconds > 0) == (gate.mode is Mode.SELL)


def test_assess_predicts_the_service_level_with_and_without_the_offer(gate: GatePolicy) -> None:
    verdict = gate.assess(state(2, 0), extra_seconds=60)
    assert verdict.service_level is not None
    assert verdict.service_level_with_offer is not None
    assert verdict.service_level_with_offer < verdict.service_level
    assert verdict.allowed == (verdict.mode is Mode.SELL and verdict.allowed_seconds >= 60)


def test_gate_pickles_and_specs_round_trip(gate: GatePolicy) -> None:
    clone = pickle.loads(pickle.dumps(gate))
    assert clone.spec == gate.spec
    assert make_gate(gate.spec).spec == gate.spec


def test_idle_center_is_never_worse_than_a_busy_one(gate: GatePolicy) -> None:
    busy = gate.allowed_extra_seconds(state(40, 0))
    gate.reset()
    idle = gate.allowed_extra_seconds(state(0, 40))
    assert idle >= busy


def test_hysteresis_waits_before_selling_again() -> None:
    gate = make_gate("threshold:0", hold_seconds=60)
    assert gate.allowed_extra_seconds(state(1, 0)) == 0
    assert gate.allowed_extra_seconds(state(0, 5, seconds=10)) == 0
    assert gate.allowed_extra_seconds(state(0, 5, seconds=50)) == 0
    assert gate.allowed_extra_seconds(state(0, 5, seconds=71)) > 0
    assert gate.mode is Mode.SELL
    assert gate.allowed_extra_seconds(state(2, 0, seconds=72)) == 0
    assert gate.mode is Mode.SERVE


def test_a_gate_that_never_saw_a_busy_queue_sells_at_once() -> None:
    gate = make_gate("threshold:0", hold_seconds=60)
    assert gate.allowed_extra_seconds(state(0, 5)) > 0
    assert gate.mode is Mode.SELL
    gate.reset()
    assert gate.allowed_extra_seconds(state(1, 0)) == 0
    assert gate.allowed_extra_seconds(state(0, 5, seconds=1)) == 0


def test_gated_threshold_follows_staffing_and_arrival_rate() -> None:
    gate = HeadroomGate(offer_seconds=55.0, margin=0.0)
    quiet = gate.reserve(80, 600.0, 187.0)  # a third of capacity: sell to everyone
    peak = gate.reserve(80, 1380.0, 187.0)  # near the planned load: keep idle agents
    overload = gate.reserve(80, 1700.0, 187.0)  # serving alone misses: serve
    assert quiet == float("-inf")
    assert 0 <= peak < 80
    assert overload == float("inf")


def test_waiting_callers_are_diverted_once_the_head_of_the_queue_misses_the_target(
    gate: GatePolicy,
) -> None:
    late = state(4, 0).model_copy(update={"longest_wait_seconds": 25.0})
    early = state(4, 0).model_copy(update={"longest_wait_seconds": 5.0})
    assert gate.diverts(late)
    assert not gate.diverts(early)
    assert not gate.diverts(state(0, 3))
    assert not gate.diverts(None)


def test_the_gated_gate_sells_more_on_a_day_running_above_target() -> None:
    busy = state(0, 1, rate=1400.0)
    ahead = HeadroomGate().allowed_extra_seconds(
        busy.model_copy(update={"service_level_today": 0.95})
    )
    behind = HeadroomGate().allowed_extra_seconds(
        busy.model_copy(update={"service_level_today": 0.70})
    )
    assert ahead > 0
    assert behind == 0
