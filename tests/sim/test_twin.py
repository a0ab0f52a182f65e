"""The twin sells through the production engine: same decisions, evolving history, diversion."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from servesell.decide import Engine
from servesell.domain import Fate
from servesell.errors import InputFileError
from servesell.service.simulation import build_world, load_spec
from servesell.sim import DayCatalog, ScenarioSpec, TwinSeller, World, draw_calls, gate_for
from servesell.sim.engine import EPOCH, simulate
from servesell.synth.catalog import SCENARIOS

SPEC = load_spec("bank")
SCENARIO = SPEC.scenario("peak", scale=0.1)


def recorded_run(world: World, spec: str) -> tuple[list[dict[str, Any]], TwinSeller]:
    """One run with every engine call's inputs and decision recorded."""
    calls = draw_calls(SCENARIO, seed=3, customers=len(world.customers))
    gate = gate_for(SCENARIO, spec)
    seller = TwinSeller(world, gate, calls, seed=3, reasons=[r for r, _ in SCENARIO.reasons])
    log: list[dict[str, Any]] = []
    decide = seller.engine.decide

    def spy(customer: Any, context: Any, *, history: Any, queue_state: Any) -> Any:
        entry = {"customer": customer, "context": context, "history": tuple(history)}
        entry["state"] = queue_state
        entry["decision"] = decide(customer, context, history=history, queue_state=queue_state)
        log.append(entry)
        return entry["decision"]

    seller.engine.decide = spy  # type: ignore[method-assign]
    simulate(SCENARIO, gate, seed=3, seller=seller, calls=calls)
    return log, seller


@pytest.fixture(scope="module")
def gated_run(world: World) -> tuple[list[dict[str, Any]], TwinSeller]:
    return recorded_run(world, "gated")


def test_the_twin_decides_exactly_as_a_plain_engine_on_the_same_inputs(
    world: World, gated_run: tuple[list[dict[str, Any]], TwinSeller]
) -> None:
    log, _ = gated_run
    plain = Engine(
        world.catalog,
        policy=world.policy,
        model=world.model,
        gate=gate_for(SCENARIO, "gated"),
        seed=3,
        name="twin",
    )
    for entry in log:
        again = plain.decide(
            entry["customer"],
            entry["context"],
            history=entry["history"],
            queue_state=entry["state"],
        )
        assert again == entry["decision"]
    modes = {e["decision"].mode for e in log}
    assert len(modes) == 2, "the peak day should both sell and serve"


def test_contact_history_evolves_so_caps_and_cool_downs_bind(
    world: World, gated_run: tuple[list[dict[str, Any]], TwinSeller]
) -> None:
    log, seller = gated_run
    made = Counter[tuple[str, dt.date]]()
    for entry in log:
        decision = entry["decision"]
        day = decision.made_at.date()
        made[decision.customer_id, day] += sum(
            c.fate in (Fate.SHOWN, Fate.DIGITAL) for c in decision.candidates
        )
    assert max(made.values()) <= world.policy.caps.per_day
    reasons = {c.reason for e in log for c in e["decision"].candidates}
    assert {"cool_down_global", "recently_accepted"} & reasons
    assert sum(len(h) for h in seller.history.values()) > 0


def test_eligibility_memory_gives_the_catalogs_own_split(world: World) -> None:
    remembered = DayCatalog.of(world.catalog)
    day = dt.date(2026, 3, 2)
    for customer in list(world.customers)[:200]:
        eligible, ineligible = world.catalog.split(customer, day)
        for _ in range(2):
            again, rest = remembered.split(customer, day)
            assert [c.offer for c in again] == [c.offer for c in eligible]
            assert rest == ineligible


def test_diverting_waiting_callers_lifts_the_service_level_of_the_rest(world: World) -> None:
    def run(take_up: float) -> Any:
        from dataclasses import replace

        from servesell.sim import play

        scenario = replace(SPEC.scenario("peak", scale=0.1), divert_take_up=take_up)
        return play(scenario, world, gate_for(scenario, "threshold:0"), seed=4)

    without, diverted = run(0.0), run(1.0)
    assert without.diverted == 0 < diverted.diverted
    assert diverted.service_level > without.service_level


def test_the_gate_reads_calls_offered_today_diverted_callers_included() -> None:
    """``calls_today`` is the ACD's calls offered, the count the WFM forecast predicts.

    Counting only resolved calls would leave out the callers the gate itself diverts and
    under-read exactly the busy days the guard is for.
    """
    import bisect
    from dataclasses import replace

    scenario = replace(SPEC.scenario("peak", scale=0.1), divert_take_up=1.0)
    calls = draw_calls(scenario, seed=4, customers=1_000)
    gate = gate_for(scenario, "threshold:0")
    seen: list[tuple[float, int | None]] = []
    diverts = gate.diverts

    def recording(state: Any) -> bool:
        seen.append(((state.at - EPOCH).total_seconds(), state.calls_today))
        return diverts(state)

    gate.diverts = recording  # type: ignore[method-assign]
    result = simulate(scenario, gate, seed=4, calls=calls)
    arrivals = sorted(calls.arrival.tolist())
    assert result.diverted > 0
    assert seen
    for t, counted in seen:
        assert counted == bisect.bisect_right(arrivals, t + 1e-6)  # `at` is to the microsecond


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_shipped_scenario_plans_shifts_for_every_load(name: str) -> None:
    spec = load_spec(name)
    light, peak = spec.scenario("light"), spec.scenario("peak")
    assert light.agents == peak.agents
    assert peak.calls_per_day == pytest.approx(spec.calls_per_day * 1.1)


def test_a_bad_scenario_file_names_the_field(tmp_path: Any) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncalls_per_day: -5\nhourly_shape: [1]\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="calls_per_day"):
        load_spec(str(bad))
    with pytest.raises(InputFileError, match="no such scenario"):
        load_spec("nowhere")
    with pytest.raises(ValueError, match="load"):
        ScenarioSpec(name="x", calls_per_day=10, hourly_shape=[1.0] * 24).scenario("huge")  # type: ignore[arg-type]


def test_a_learning_model_learns_in_each_run_from_the_same_start() -> None:
    from servesell.learn.adaptive import AdaptivePropensity
    from servesell.sim import play

    learning = build_world(load_spec("bank"), seed=1, customers=3_000, learn=True)
    assert isinstance(learning.model, AdaptivePropensity)
    log, seller = recorded_run(learning, "gated")
    taught = seller.learner
    assert isinstance(taught, AdaptivePropensity)
    assert taught is not learning.model
    shown = [c for e in log for c in e["decision"].candidates if c.fate is Fate.SHOWN]
    offers = {c.offer_id for c in shown}
    assert sum(taught.learners[o].n for o in offers) == len(shown)
    assert all(n.n == 0 for n in learning.model.learners.values()), "the world's model is kept"
    gate = gate_for(SCENARIO, "gated")
    first, again = play(SCENARIO, learning, gate, seed=5), play(SCENARIO, learning, gate, seed=5)
    assert first == again


def test_a_run_prices_its_contacts_and_reports_value_net_of_them(world: World) -> None:
    from servesell.sim import play

    result = play(SCENARIO, world, gate_for(SCENARIO, "always"), seed=6)
    prices = world.prices
    assert result.messages > 0
    assert result.offer_talk_seconds > 0
    assert result.contact_cost > result.offer_talk_seconds * prices.agent_second
    assert result.contact_cost <= (
        result.offer_talk_seconds * prices.agent_second + result.messages * 0.05 + 1e-9
    )
    summary = result.summary()
    assert summary["net_value"] == pytest.approx(
        result.revenue + result.digital_revenue - result.contact_cost
    )
