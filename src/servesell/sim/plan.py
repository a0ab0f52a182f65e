"""A center to simulate, as its YAML file describes it, turned into a staffed scenario.

A spec gives one day's traffic (calls per day and their hourly shape), handle times
(lognormal mean and median, Brown et al. 2005), callers' patience, the call-reason mix,
the service target, shift length, how many customers call, and the share of waiting
callers who accept self-service or a callback. :meth:`ScenarioSpec.scenario` plans
whole shifts that meet the target *without* selling at the design load, then runs the
day at a load level: ``light`` (0.9 × design), ``design`` or ``peak`` (1.1 × design,
the day the forecast was too low).

>>> spec = ScenarioSpec(name="x", calls_per_day=2000, hourly_shape=[1.0] * 24)
>>> round(spec.scenario("peak").calls_per_day / spec.scenario("design").calls_per_day, 9)
1.1
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from servesell.queueing.load import Target
from servesell.sim.scenario import Scenario
from servesell.sim.shifts import cover_with_shifts, required_agents

LoadLevel = Literal["light", "design", "peak"]

LOADS: dict[str, float] = {"light": 0.9, "design": 1.0, "peak": 1.1}
"""Arrivals at each load level relative to the design load the shifts were planned for."""


class ScenarioSpec(BaseModel):
    """One simulated center, as written in its scenario YAML (see ``docs/simulation.md``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    calls_per_day: float = Field(gt=0)
    hourly_shape: tuple[float, ...] = Field(min_length=24, max_length=24)
    aht_mean_seconds: float = Field(default=187.0, gt=0)
    aht_median_seconds: float = Field(default=119.0, gt=0)
    patience_seconds: float = Field(default=300.0, gt=0)
    shift_hours: int = Field(default=8, ge=1, le=24)
    max_agents: int | None = Field(default=None, ge=1)
    target_level: float = Field(default=0.8, gt=0, lt=1)
    target_seconds: float = Field(default=20.0, ge=0)
    reasons: dict[str, float] = Field(default_factory=lambda: {"other": 1.0})
    customers: int = Field(default=20_000, ge=1)
    divert_take_up: float = Field(default=0.0, ge=0, le=1)
    world: Literal["bank", "telecom", "brand"] = "bank"
    """What the center sells, to whom: the synthetic world's catalog, customers and truth."""

    @field_validator("hourly_shape")
    @classmethod
    def _shape(cls, shape: tuple[float, ...]) -> tuple[float, ...]:
        if min(shape) < 0 or sum(shape) <= 0:
            raise ValueError("hourly_shape needs 24 non-negative values, not all 0")
        return shape

    @field_validator("reasons")
    @classmethod
    def _reasons(cls, reasons: dict[str, float]) -> dict[str, float]:
        if not reasons or min(reasons.values()) < 0 or sum(reasons.values()) <= 0:
            raise ValueError("reasons need non-negative shares, not all 0")
        return reasons

    @property
    def target(self) -> Target:
        """The service-level target of the center."""
        return Target(self.target_level, self.target_seconds)

    def scenario(
        self, load: LoadLevel = "design", *, days: int = 1, scale: float = 1.0
    ) -> Scenario:
        """The staffed scenario at ``load``; ``scale`` shrinks the center (calls and agents)."""
        if load not in LOADS:
            raise ValueError(f"load must be one of {', '.join(LOADS)}, got {load!r}")
        if not 0 < scale <= 1:
            raise ValueError(f"scale must be in (0, 1], got {scale!r}")
        design = self._rates(self.calls_per_day * scale)
        agents = cover_with_shifts(
            required_agents(
                design,
                aht_seconds=self.aht_mean_seconds,
                target=self.target,
                patience_seconds=self.patience_seconds,
            ),
            shift_intervals=self.shift_hours * 2,
            max_agents=self.max_agents,
        )
        return Scenario(
            calls_per_hour=tuple(rate * LOADS[load] for rate in design),
            agents=agents,
            interval_seconds=1800.0,
            days=days,
            aht_mean_seconds=self.aht_mean_seconds,
            aht_median_seconds=min(self.aht_median_seconds, self.aht_mean_seconds),
            patience_seconds=self.patience_seconds,
            target=self.target,
            reasons=tuple(self.reasons.items()),
            divert_take_up=self.divert_take_up,
            name=self.name,
            forecast_calls_per_hour=design,
        )

    def _rates(self, calls_per_day: float) -> tuple[float, ...]:
        """Calls per hour in each half hour of the day."""
        total = sum(self.hourly_shape)
        return tuple(calls_per_day * share / total for share in self.hourly_shape for _ in range(2))
