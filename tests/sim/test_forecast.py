"""The twin's gate with the design forecast (``simulate --forecast``): opt-in, repeatable."""

from __future__ import annotations

from servesell.service.simulation import load_spec
from servesell.sim import World, gate_for, play


def test_the_forecast_gate_is_opt_in_and_a_run_repeats_exactly(world: World) -> None:
    scenario = load_spec("bank").scenario("peak", scale=0.1)
    assert getattr(gate_for(scenario, "gated"), "forecast", None) is None
    gate = gate_for(scenario, "gated", forecast=True)
    assert getattr(gate, "forecast", None) == scenario.forecast
    first = play(scenario, world, gate, seed=5)
    again = play(scenario, world, gate, seed=5)
    assert first.summary() == again.summary()
    assert first.offers > 0
