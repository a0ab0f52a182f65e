"""The comparison's verdicts, on made-up frontier points."""

from __future__ import annotations

from servesell.sim import Cell, FrontierPoint


def point(policy: str, level: float, revenue: float) -> FrontierPoint:
    return FrontierPoint(
        policy=policy,
        hold_seconds=0.0,
        calls=1000,
        service_level=level,
        revenue=revenue,
        digital_revenue=10.0,
        offers=1,
        sales=1,
        abandon_share=0.0,
        asa_seconds=0.0,
        occupancy=0.8,
        meets_target=level >= 0.8,
    )


def cell(never: float, gated: tuple[float, float], static: tuple[float, float]) -> Cell:
    return Cell(
        scenario="bank",
        load="design",
        seed=1,
        static_choice="threshold:1/0s",
        never=point("never", never, 0.0),
        gated=point("gated", *gated),
        static=point("threshold:1", *static),
    )


def test_the_gate_passes_when_it_keeps_the_target_and_earns_at_least_the_threshold() -> None:
    assert cell(0.9, (0.82, 500.0), (0.81, 500.0)).passes


def test_the_gate_fails_when_it_misses_a_target_never_selling_meets() -> None:
    verdict = cell(0.9, (0.79, 900.0), (0.81, 500.0))
    assert not verdict.keeps_target
    assert not verdict.passes


def test_a_threshold_that_misses_the_target_sets_no_revenue_bar() -> None:
    verdict = cell(0.9, (0.82, 100.0), (0.75, 900.0))
    assert verdict.earns_enough
    assert not cell(0.9, (0.82, 100.0), (0.85, 900.0)).earns_enough


def test_when_never_selling_misses_the_target_the_gate_is_not_held_to_it() -> None:
    assert cell(0.7, (0.65, 100.0), (0.6, 50.0)).keeps_target
