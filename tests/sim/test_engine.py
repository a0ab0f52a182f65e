"""With selling off and a stationary load the simulator reproduces Erlang C and A."""

from __future__ import annotations

import numpy as np
import pytest

from servesell.queueing import Load, erlang_a, erlang_c
from servesell.sim import Scenario, World, bank_scenario, gate_for, play, simulate

LOAD = Load(calls_per_hour=200, aht_seconds=180)


def stationary(patience: float | None) -> Scenario:
    return Scenario(
        calls_per_hour=(200.0,) * 24,
        agents=(14,) * 24,
        interval_seconds=3600.0,
        days=4,
        aht_mean_seconds=180.0,
        aht_median_seconds=180.0,
        handle_times="exponential",
        patience_seconds=patience,
    )


def replicate(scenario: Scenario, field: str, runs: int = 8) -> tuple[float, float]:
    values = [getattr(simulate(scenario, seed=seed), field) for seed in range(runs)]
    return float(np.mean(values)), 3.5 * float(np.std(values, ddof=1)) / np.sqrt(runs)


@pytest.mark.parametrize("field", ["service_level", "asa_seconds", "occupancy"])
def test_simulator_matches_erlang_c(field: str) -> None:
    mean, half_width = replicate(stationary(None), field)
    assert mean == pytest.approx(getattr(erlang_c(LOAD, 14, 20), field), abs=half_width)


@pytest.mark.parametrize("field", ["service_level", "asa_seconds", "abandon_share", "occupancy"])
def test_simulator_matches_erlang_a(field: str) -> None:
    mean, half_width = replicate(stationary(300.0), field)
    assert mean == pytest.approx(getattr(erlang_a(LOAD, 14, 20, 300), field), abs=half_width)


def test_same_seed_same_run_and_other_seed_other_run(world: World) -> None:
    scenario = bank_scenario(calls_per_day=1_500)
    gate = gate_for(scenario, "gated")
    first = play(scenario, world, gate, seed=5)
    assert play(scenario, world, gate, seed=5) == first
    assert play(scenario, world, gate, seed=6) != first


def test_offers_add_handle_time_and_sales_come_from_offers(world: World) -> None:
    scenario = bank_scenario(calls_per_day=1_500)
    never = play(scenario, world, gate_for(scenario, "never"), seed=1)
    always = play(scenario, world, gate_for(scenario, "always"), seed=1)
    assert never.offers == never.sales == 0
    assert never.revenue == 0
    assert 0 < always.sales < always.offers <= always.calls
    assert always.occupancy > never.occupancy
    assert always.service_level < never.service_level
