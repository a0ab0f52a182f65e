"""Run every gate policy on one scenario: the revenue-versus-service-level frontier.

Static thresholds are swept over several values of N and of hysteresis hold, so the
model-based gate is compared with the best static choice a supervisor could have made
with hindsight.
"""

from __future__ import annotations

from dataclasses import dataclass

from servesell.queueing.gate import GatePolicy, make_gate
from servesell.queueing.gate.base import DEFAULT_PATIENCE_SECONDS
from servesell.sim.engine import simulate
from servesell.sim.results import SimResult
from servesell.sim.scenario import Scenario

DEFAULT_POLICIES: tuple[tuple[str, float], ...] = (
    ("never", 0.0),
    ("always", 0.0),
    *((f"threshold:{n}", hold) for n in (0, 1, 2, 3, 5, 8) for hold in (0.0, 60.0, 120.0, 180.0)),
    ("gated", 0.0),
)
"""``(spec, hold_seconds)`` of the policies a sweep runs."""


@dataclass(frozen=True, slots=True)
class FrontierPoint:
    """One policy's result in a sweep, and whether it met the service-level target."""

    policy: str
    hold_seconds: float
    service_level: float
    revenue: float
    offers: int
    sales: int
    abandon_share: float
    asa_seconds: float
    occupancy: float
    meets_target: bool

    @classmethod
    def of(cls, result: SimResult, hold_seconds: float, target_level: float) -> FrontierPoint:
        """The frontier point of one simulation result."""
        return cls(
            policy=result.policy,
            hold_seconds=hold_seconds,
            service_level=result.service_level,
            revenue=result.revenue,
            offers=result.offers,
            sales=result.sales,
            abandon_share=result.abandon_share,
            asa_seconds=result.asa_seconds,
            occupancy=result.occupancy,
            meets_target=result.service_level >= target_level,
        )


def gate_for(scenario: Scenario, spec: str, *, hold_seconds: float = 0.0) -> GatePolicy:
    """The gate ``spec`` configured for ``scenario``'s target, patience and offers."""
    return make_gate(
        spec,
        hold_seconds=hold_seconds,
        target=scenario.target,
        patience_seconds=scenario.patience_seconds or DEFAULT_PATIENCE_SECONDS,
        offer_seconds=mean_offer_seconds(scenario),
    )


def mean_offer_seconds(scenario: Scenario) -> float:
    """Extra seconds per call if every call carried its best eligible offer."""
    offers = scenario.cross_sell.offers if scenario.cross_sell else ()
    return sum(o.share * o.extra_seconds for o in offers) or 60.0


def sweep(
    scenario: Scenario,
    *,
    seed: int,
    policies: tuple[tuple[str, float], ...] = DEFAULT_POLICIES,
) -> list[FrontierPoint]:
    """Simulate ``scenario`` under each policy with the same calls (same seed)."""
    return [
        FrontierPoint.of(
            simulate(scenario, gate_for(scenario, spec, hold_seconds=hold), seed=seed),
            hold,
            scenario.target.level,
        )
        for spec, hold in policies
    ]
