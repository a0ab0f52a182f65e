"""Inbound traffic of the synthetic bank: when calls arrive, who calls, why, for how long.

Arrivals are a non-homogeneous Poisson process with a piecewise-constant hourly rate
(a bank hotline's day: quiet at night, a morning peak at 10-11, a second peak at 14-16,
tailing off in the evening) scaled by weekday. Handle times are lognormal with the
Anonymous Bank figures (mean 187 s, median 119 s; Brown et al. 2005), stretched by call
reason. Customers with overdue payments or open complaints call more often.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from servesell.domain.center import Call

if TYPE_CHECKING:
    from collections.abc import Sequence
    from zoneinfo import ZoneInfo

    from servesell.domain.customer import Customer

HOURLY_SHAPE = (
    0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.8, 2.0, 5.0, 8.0, 9.5, 9.0,
    7.0, 7.5, 8.5, 8.5, 8.0, 7.0, 5.5, 5.0, 4.5, 3.5, 2.5, 1.2,
)  # fmt: skip
"""Relative call volume per hour of day, 00:00-23:59 local time."""

WEEKDAY_FACTOR = (1.15, 1.05, 1.0, 1.0, 1.05, 0.8, 0.7)
"""Relative daily volume Monday..Sunday (Mondays carry the weekend's backlog)."""

REASONS = {
    "billing_inquiry": (0.28, 1.0),
    "repayment": (0.14, 0.9),
    "card_activation": (0.09, 0.6),
    "limit_inquiry": (0.10, 0.9),
    "points_rewards": (0.10, 0.8),
    "lost_card": (0.05, 1.2),
    "transaction_dispute": (0.08, 1.5),
    "complaint": (0.04, 1.8),
    "other": (0.12, 1.0),
}
"""Call reason -> (share of calls, handle-time multiplier)."""

AHT_MEAN_SECONDS = 187.0
AHT_MEDIAN_SECONDS = 119.0


@dataclass(frozen=True, slots=True)
class TrafficProfile:
    """Parameters of one center's inbound traffic."""

    calls_per_day: float
    aht_mean_seconds: float = AHT_MEAN_SECONDS
    aht_median_seconds: float = AHT_MEDIAN_SECONDS
    queue: str = "cards"

    def __post_init__(self) -> None:
        if self.calls_per_day <= 0:
            raise ValueError(f"calls_per_day must be positive, got {self.calls_per_day}")
        if not 0 < self.aht_median_seconds < self.aht_mean_seconds:
            raise ValueError(
                "lognormal handle times need 0 < median < mean, got median "
                f"{self.aht_median_seconds} and mean {self.aht_mean_seconds}"
            )

    def hourly_rates(self, day: dt.date) -> list[float]:
        """Expected calls in each hour of ``day`` (sums to the weekday-scaled volume)."""
        total = sum(HOURLY_SHAPE)
        volume = self.calls_per_day * WEEKDAY_FACTOR[day.weekday()]
        return [volume * share / total for share in HOURLY_SHAPE]

    @property
    def lognormal_params(self) -> tuple[float, float]:
        """``(mu, sigma)`` of log handle time matching the mean and median."""
        mu = math.log(self.aht_median_seconds)
        return mu, math.sqrt(2 * (math.log(self.aht_mean_seconds) - mu))


def generate_calls(
    profile: TrafficProfile,
    customers: Sequence[Customer],
    day: dt.date,
    tz: ZoneInfo,
    *,
    seed: int,
) -> list[Call]:
    """One day's inbound calls in time order; the same seed gives the same calls."""
    rng = np.random.default_rng(seed)
    offsets = _arrival_offsets(rng, profile.hourly_rates(day))
    n = len(offsets)
    who = rng.choice(len(customers), size=n, p=_caller_weights(customers))
    reasons = _reasons(rng, [customers[i] for i in who])
    mu, sigma = profile.lognormal_params
    base = rng.lognormal(mu, sigma, size=n)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    return [
        Call(
            id=f"{day:%Y%m%d}-{k + 1:06d}",
            customer_id=customers[who[k]].id,
            started_at=start + dt.timedelta(seconds=float(offsets[k])),
            reason=reasons[k],
            handle_seconds=round(float(base[k]) * REASONS[reasons[k]][1], 1),
            queue=profile.queue,
        )
        for k in range(n)
    ]


def _arrival_offsets(rng: np.random.Generator, hourly: list[float]) -> np.ndarray:
    """Seconds after midnight: Poisson counts per hour, uniform times within the hour."""
    counts = rng.poisson(hourly)
    parts = [h * 3600 + rng.uniform(0, 3600, size=c) for h, c in enumerate(counts)]
    offsets: np.ndarray = np.sort(np.concatenate(parts))
    return offsets


def _caller_weights(customers: Sequence[Customer]) -> np.ndarray:
    weights = np.array(
        [
            1.0
            + 1.5 * (_overdue(c) > 0)
            + 4.0 * c.open_complaint
            + 0.5 * (c.attributes.get("repayment_mode") != "full")
            for c in customers
        ]
    )
    shares: np.ndarray = weights / weights.sum()
    return shares


def _overdue(customer: Customer) -> float:
    value = customer.attributes.get("overdue_count_12m")
    return float(value) if isinstance(value, int | float) else 0.0


def _reasons(rng: np.random.Generator, callers: list[Customer]) -> list[str]:
    names = list(REASONS)
    shares = np.array([REASONS[r][0] for r in names])
    drawn = rng.choice(len(names), size=len(callers), p=shares / shares.sum())
    complaint_draw = rng.random(len(callers))
    return [
        "complaint" if caller.open_complaint and u < 0.6 else names[d]
        for caller, d, u in zip(callers, drawn, complaint_draw, strict=True)
    ]
