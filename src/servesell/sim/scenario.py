"""What a simulation run is made of: the day's load, the staffing, the callers.

All frozen and validated. What is sold, to whom, and whether they say yes is not
here: the twin (:mod:`servesell.sim.twin`) asks the production decision engine and
the synthetic customers' latent propensities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from servesell.queueing.forecast import DayForecast
from servesell.queueing.load import Target


@dataclass(frozen=True, slots=True)
class Scenario:
    """One simulated center: per-interval arrival rates and staffing over a repeated day.

    ``calls_per_hour[k]`` and ``agents[k]`` hold for interval ``k`` of
    ``interval_seconds``; the day is their common length and repeats for ``days``.
    Handle times are lognormal with the given mean and median (or exponential with the
    mean, the Erlang formulas' assumption); patience is exponential with mean
    ``patience_seconds`` (``None``: nobody hangs up).
    """

    calls_per_hour: tuple[float, ...]
    agents: tuple[int, ...]
    interval_seconds: float = 1800.0
    days: int = 1
    aht_mean_seconds: float = 187.0
    aht_median_seconds: float = 119.0
    handle_times: Literal["lognormal", "exponential"] = "lognormal"
    patience_seconds: float | None = 300.0
    target: Target = field(default_factory=Target)
    reasons: tuple[tuple[str, float], ...] = (("other", 1.0),)
    """Call reasons and their shares of calls."""
    divert_take_up: float = 0.0
    """Share of waiting callers who take self-service or a callback when the gate diverts."""
    name: str = "custom"
    forecast_calls_per_hour: tuple[float, ...] | None = None
    """What the planners forecast per interval (the design load); ``None``: ``calls_per_hour``."""

    def __post_init__(self) -> None:
        _check(len(self.calls_per_hour) > 0, "number of intervals", len(self.calls_per_hour))
        _check(len(self.agents) == len(self.calls_per_hour), "agents intervals", len(self.agents))
        _check(min(self.calls_per_hour) >= 0, "calls_per_hour", min(self.calls_per_hour))
        _check(min(self.agents) >= 0, "agents", min(self.agents))
        _check(self.interval_seconds > 0, "interval_seconds", self.interval_seconds)
        _check(self.days >= 1, "days", self.days)
        _check(
            0 < self.aht_median_seconds <= self.aht_mean_seconds,
            "aht median must be in (0, mean]; median",
            self.aht_median_seconds,
        )
        _check(0 <= self.divert_take_up <= 1, "divert_take_up", self.divert_take_up)
        _check(bool(self.reasons) and min(s for _, s in self.reasons) >= 0, "reasons", 0.0)
        if self.forecast_calls_per_hour is not None:
            _check(
                len(self.forecast_calls_per_hour) == len(self.calls_per_hour),
                "forecast intervals",
                len(self.forecast_calls_per_hour),
            )
        if self.patience_seconds is not None:
            _check(self.patience_seconds > 0, "patience_seconds", self.patience_seconds)

    @property
    def lognormal(self) -> tuple[float, float]:
        """``(mu, sigma)`` of log handle time matching the mean and median."""
        mu = math.log(self.aht_median_seconds)
        return mu, math.sqrt(2.0 * (math.log(self.aht_mean_seconds) - mu))

    @property
    def forecast(self) -> DayForecast:
        """The day as the workforce-management system planned it: design arrivals, shifts."""
        rates = self.forecast_calls_per_hour or self.calls_per_hour
        return DayForecast(
            calls_per_hour=rates,
            agents=self.agents,
            interval_seconds=self.interval_seconds,
            aht_seconds=self.aht_mean_seconds,
        )

    @property
    def calls_per_day(self) -> float:
        """Expected calls in one day."""
        return sum(self.calls_per_hour) * self.interval_seconds / 3600.0


def _check(ok: bool, what: str, value: float) -> None:
    if not ok:
        raise ValueError(f"{what} is invalid: {value!r}")
