"""Run gate policies through the twin on one scenario: the revenue-versus-service-level frontier.

Static thresholds are swept over several values of N and of hysteresis hold, so the
model-based gate is compared with the static choices a supervisor could have made.
Every gate is built from :class:`~servesell.queueing.GateSettings`, as the live
service builds it, with the scenario's target and patience.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, get_args

from servesell.queueing.settings import GateKind, GateSettings
from servesell.sim.arrivals import draw_calls
from servesell.sim.engine import simulate
from servesell.sim.twin import TwinSeller

if TYPE_CHECKING:
    from servesell.queueing.gate import GatePolicy
    from servesell.sim.results import SimResult
    from servesell.sim.scenario import Scenario
    from servesell.sim.twin import World

STATIC_POLICIES: tuple[tuple[str, float], ...] = tuple(
    (f"threshold:{n}", hold) for n in (0, 1, 2, 3, 5) for hold in (0.0, 60.0, 180.0)
)
"""``(spec, hold_seconds)`` of the static thresholds a sweep tries."""

LIVE_POLICY = GateSettings().kind
"""The live default gate (``valued_guarded``): the one ``--compare`` holds to the acceptance."""
LIVE_HOLD_SECONDS = GateSettings().hold_seconds
"""The hysteresis hold of the live default gate (the adaptive gates run with it)."""

DEFAULT_POLICIES: tuple[tuple[str, float], ...] = (
    ("never", 0.0),
    ("always", 0.0),
    *STATIC_POLICIES,
    ("gated", LIVE_HOLD_SECONDS),
    ("steered", LIVE_HOLD_SECONDS),
)
"""``(spec, hold_seconds)`` of the policies a sweep runs."""


@dataclass(frozen=True, slots=True)
class FrontierPoint:
    """One policy's result in a sweep, and whether it met the service-level target."""

    policy: str
    hold_seconds: float
    calls: int
    service_level: float
    revenue: float
    digital_revenue: float
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
            calls=result.calls,
            service_level=result.service_level,
            revenue=result.revenue,
            digital_revenue=result.digital_revenue,
            offers=result.offers,
            sales=result.sales,
            abandon_share=result.abandon_share,
            asa_seconds=result.asa_seconds,
            occupancy=result.occupancy,
            meets_target=result.service_level >= target_level,
        )


def gate_for(
    scenario: Scenario, spec: str, *, hold_seconds: float | None = None, forecast: bool = False
) -> GatePolicy:
    """The gate ``spec`` as the live service builds it, with ``scenario``'s target and patience.

    ``hold_seconds`` ``None`` keeps the live settings' default hysteresis hold.
    ``steered`` always sees the scenario's design forecast (arrivals and shifts as
    planned, whatever the day's load level: the WFM plan a center gives its gate);
    ``forecast`` gives it to ``gated`` too, so that one aims at the end-of-day level.
    """
    name, _, argument = spec.partition(":")
    if name == "threshold" and not argument.isdigit():
        raise ValueError(f"threshold needs calls waiting, e.g. threshold:3, got {spec!r}")
    if name not in _KINDS or (argument and name != "threshold"):
        known = (
            "always, gated, never, steered, valued, valued_gated, valued_guarded, valued_sized, "
            "threshold:N"
        )
        raise ValueError(f"unknown gate policy {spec!r} (known: {known})")
    hold = GateSettings().hold_seconds if hold_seconds is None else hold_seconds
    settings = GateSettings.model_validate(
        {
            "kind": name,
            "max_waiting": int(argument) if argument else 0,
            "hold_seconds": hold,
            "target_level": scenario.target.level,
            "target_seconds": scenario.target.seconds,
            "patience_seconds": scenario.patience_seconds or 300.0,
            "forecast": scenario.forecast if name in _FORECAST_KINDS or forecast else None,
        }
    )
    return settings.build()


_KINDS = frozenset(get_args(GateKind))
_FORECAST_KINDS = frozenset({"steered", "valued", "valued_guarded", "valued_sized"})
"""Gates that always get the scenario's design forecast (the WFM plan)."""


def play(scenario: Scenario, world: World, gate: GatePolicy, *, seed: int) -> SimResult:
    """One run of ``scenario`` through the twin with ``gate``; the same seed, the same run."""
    calls = draw_calls(scenario, seed=seed, customers=len(world.customers))
    reasons = [name for name, _ in scenario.reasons]
    seller = TwinSeller(world, gate, calls, seed=seed, reasons=reasons)
    result = simulate(scenario, gate, seed=seed, seller=seller, calls=calls)
    costs = seller.costs()
    return replace(
        result,
        messages=costs.messages,
        offer_talk_seconds=costs.talk_seconds,
        contact_cost=costs.cost,
    )


def sweep(
    scenario: Scenario,
    world: World,
    *,
    seed: int,
    policies: tuple[tuple[str, float], ...] = DEFAULT_POLICIES,
) -> list[FrontierPoint]:
    """Simulate ``scenario`` under each policy with the same calls (same seed)."""
    return [
        FrontierPoint.of(
            play(scenario, world, gate_for(scenario, spec, hold_seconds=hold), seed=seed),
            hold,
            scenario.target.level,
        )
        for spec, hold in policies
    ]
