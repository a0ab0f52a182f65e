"""What a simulation run is made of: the day's load, the staffing, callers and cross-selling.

All frozen and validated. The simulator knows nothing of the synthetic bank: a
cross-sell is just, per offer, the talk it adds, what a sale is worth, the mean
acceptance and how often it is a call's best eligible offer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from servesell.queueing.load import Target


@dataclass(frozen=True, slots=True)
class OfferSpec:
    """One offer as the simulator sees it.

    ``share`` is the probability that this offer is a call's best eligible one;
    ``acceptance`` the mean of the callers' latent acceptance propensities.
    """

    id: str
    extra_seconds: float
    value: float
    acceptance: float
    share: float

    def __post_init__(self) -> None:
        _check(self.extra_seconds > 0, f"offer {self.id}: extra_seconds", self.extra_seconds)
        _check(self.value >= 0, f"offer {self.id}: value", self.value)
        _check(0 < self.acceptance < 1, f"offer {self.id}: acceptance", self.acceptance)
        _check(0 <= self.share <= 1, f"offer {self.id}: share", self.share)


@dataclass(frozen=True, slots=True)
class CrossSell:
    """The offers calls may carry; callers' propensities are Beta with ``concentration``."""

    offers: tuple[OfferSpec, ...]
    concentration: float = 8.0

    def __post_init__(self) -> None:
        total = sum(o.share for o in self.offers)
        _check(total <= 1 + 1e-9, "offer shares must sum to at most 1; sum", total)
        _check(self.concentration > 0, "concentration", self.concentration)


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
    cross_sell: CrossSell | None = None
    target: Target = field(default_factory=Target)

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
        if self.patience_seconds is not None:
            _check(self.patience_seconds > 0, "patience_seconds", self.patience_seconds)

    @property
    def day_seconds(self) -> float:
        """Length of one simulated day."""
        return self.interval_seconds * len(self.calls_per_hour)

    @property
    def lognormal(self) -> tuple[float, float]:
        """``(mu, sigma)`` of log handle time matching the mean and median."""
        mu = math.log(self.aht_median_seconds)
        return mu, math.sqrt(2.0 * (math.log(self.aht_mean_seconds) - mu))

    @property
    def calls_per_day(self) -> float:
        """Expected calls in one day."""
        return sum(self.calls_per_hour) * self.interval_seconds / 3600.0


def _check(ok: bool, what: str, value: float) -> None:
    if not ok:
        raise ValueError(f"{what} is invalid: {value!r}")
