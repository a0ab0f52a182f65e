"""The proof of the gate: on seeds it was not tuned on, it keeps the target and earns the most.

For one scenario at one load level, the best static threshold is chosen on *tuning*
seeds (the threshold and hold that met the target on every tuning seed with the most
revenue: what a supervisor would have picked from past days), then never-selling, the
gated policy and that threshold run on *held-out* seeds. A cell passes when the gate
meets the target whenever never-selling does, and earns (in calls and by message) at
least the chosen threshold's revenue whenever that threshold also meets the target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.sim.frontier import (
    LIVE_HOLD_SECONDS,
    LIVE_POLICY,
    STATIC_POLICIES,
    FrontierPoint,
    gate_for,
    play,
)

if TYPE_CHECKING:
    from servesell.sim.scenario import Scenario
    from servesell.sim.twin import World


@dataclass(frozen=True, slots=True)
class Cell:
    """One scenario, load level and held-out seed: never, the gate and the chosen threshold.

    ``gated`` is the adaptive gate under test (the live default unless told otherwise).
    """

    scenario: str
    load: str
    seed: int
    static_choice: str
    never: FrontierPoint
    gated: FrontierPoint
    static: FrontierPoint

    @property
    def keeps_target(self) -> bool:
        """The gate meets the target whenever never-selling does."""
        return self.gated.meets_target or not self.never.meets_target

    @property
    def earns_enough(self) -> bool:
        """The gate earns at least the chosen threshold's revenue when that one meets it."""
        return not self.static.meets_target or total(self.gated) >= total(self.static)

    @property
    def passes(self) -> bool:
        """Both claims hold in this cell."""
        return self.keeps_target and self.earns_enough


def total(point: FrontierPoint) -> float:
    """Revenue of sales in the call and by message."""
    return point.revenue + point.digital_revenue


@dataclass(frozen=True, slots=True)
class Comparison:
    """One scenario at one load: the held-out cells and the first tuning seed's frontier."""

    cells: tuple[Cell, ...]
    frontier: tuple[FrontierPoint, ...]


def choose_static(
    scenario: Scenario,
    world: World,
    *,
    seeds: Sequence[int],
    policies: Sequence[tuple[str, float]] = STATIC_POLICIES,
) -> tuple[tuple[str, float], list[FrontierPoint]]:
    """The static threshold that met the target on every seed with the most mean revenue.

    ``("never", 0.0)`` when none met it on every seed; also every policy's point on the
    first seed (the frontier a supervisor would have looked at).
    """
    best, best_revenue = ("never", 0.0), -1.0
    first = []
    for spec, hold in policies:
        points = [_point(scenario, world, spec, hold, seed) for seed in seeds]
        first.append(points[0])
        if all(p.meets_target for p in points):
            revenue = sum(total(p) for p in points) / len(points)
            if revenue > best_revenue:
                best, best_revenue = (spec, hold), revenue
    return best, first


def compare_cell(
    scenario: Scenario,
    world: World,
    *,
    load: str,
    tuning_seeds: Sequence[int],
    held_out_seeds: Sequence[int],
    forecast: bool = False,
    gate: str = LIVE_POLICY,
) -> Comparison:
    """One scenario at one load: a threshold tuned, then the held-out runs.

    ``gate`` is the adaptive gate compared (default: the live default, ``valued_guarded``);
    ``forecast`` runs ``gated`` with the scenario's design forecast (end-of-day aim).
    """
    (spec, hold), frontier = choose_static(scenario, world, seeds=tuning_seeds)
    choice = f"{spec}/{hold:g}s" if spec.startswith("threshold") else spec
    cells = tuple(
        Cell(
            scenario=scenario.name,
            load=load,
            seed=seed,
            static_choice=choice,
            never=_point(scenario, world, "never", 0.0, seed),
            gated=_point(scenario, world, gate, LIVE_HOLD_SECONDS, seed, forecast=forecast),
            static=_point(scenario, world, spec, hold, seed),
        )
        for seed in held_out_seeds
    )
    ends = [
        _point(scenario, world, name, hold, tuning_seeds[0], forecast=forecast)
        for name, hold in dict.fromkeys(
            (("never", 0.0), ("gated", LIVE_HOLD_SECONDS), (gate, LIVE_HOLD_SECONDS))
        )
    ]
    return Comparison(cells, (*frontier, *ends))


def _point(
    scenario: Scenario,
    world: World,
    spec: str,
    hold: float,
    seed: int,
    *,
    forecast: bool = False,
) -> FrontierPoint:
    gate = gate_for(scenario, spec, hold_seconds=hold, forecast=forecast)
    result = play(scenario, world, gate, seed=seed)
    return FrontierPoint.of(result, hold, scenario.target.level)
