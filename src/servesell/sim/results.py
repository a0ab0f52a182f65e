"""What a simulation run measured: the supervisor's figures, over the run and per interval.

One definition per figure (DESIGN.md, VICIdial's lesson): ``service_level`` is calls
answered within the target over all calls offered to agents (abandoners fail; callers
who took self-service or a callback when the gate diverted were not offered to agents
and are counted in ``diverted``); ``asa_seconds`` the mean wait over the same calls (an
abandoner's wait is the time until they hung up), the same definition as the Erlang A
formulas; ``occupancy`` handled seconds over staffed agent-seconds; ``revenue`` the
value of in-call sales and ``digital_revenue`` that of messages sent instead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class SimResult:
    """Totals of one run, and per-interval rows for charts and golden tests."""

    policy: str
    calls: int
    answered: int
    abandoned: int
    service_level: float
    asa_seconds: float
    abandon_share: float
    occupancy: float
    offers: int
    sales: int
    revenue: float
    mode_switches: int
    diverted: int = 0
    digital_revenue: float = 0.0
    messages: int = 0
    offer_talk_seconds: float = 0.0
    contact_cost: float = 0.0
    intervals: tuple[IntervalStats, ...] = ()

    @property
    def net_value(self) -> float:
        """In-call and message revenue less what the contacts cost (talk and messages)."""
        return self.revenue + self.digital_revenue - self.contact_cost

    def summary(self) -> dict[str, float | int | str]:
        """The totals as a flat JSON-ready mapping (no per-interval rows), with net value."""
        out = asdict(self)
        del out["intervals"]
        out["net_value"] = self.net_value
        return out


@dataclass(frozen=True, slots=True)
class IntervalStats:
    """One interval of the run, by the arrival time of its calls."""

    start_seconds: float
    agents: int
    calls: int
    service_level: float
    abandoned: int
    offers: int
    sales: int
    revenue: float


def measure(
    policy: str,
    tallies: Tallies,
    *,
    target_seconds: float,
    interval_seconds: float,
    agents: list[int],
) -> SimResult:
    """Turn per-call outcomes into a :class:`SimResult`."""
    t = tallies
    queued = ~t.diverted
    calls = int(queued.sum())
    on_time = t.answered & (t.wait <= target_seconds)
    sold = t.sold
    slot = (t.arrival // interval_seconds).astype(np.int64)
    staffed = float(np.sum(agents)) * interval_seconds
    return SimResult(
        policy=policy,
        calls=calls,
        answered=int(t.answered.sum()),
        abandoned=int(calls - t.answered.sum()),
        service_level=_share(int(on_time.sum()), calls),
        asa_seconds=float(t.wait[queued].mean()) if calls else 0.0,
        abandon_share=_share(int(calls - t.answered.sum()), calls),
        occupancy=t.busy_seconds / staffed if staffed else 0.0,
        offers=int(t.offered.sum()),
        sales=int(sold.sum()),
        revenue=float(t.revenue.sum()),
        mode_switches=t.mode_switches,
        diverted=int(t.diverted.sum()),
        digital_revenue=t.digital_revenue,
        intervals=_intervals(
            slot, on_time=on_time, t=t, sold=sold, agents=agents, width=interval_seconds
        ),
    )


@dataclass(frozen=True, slots=True)
class Tallies:
    """Raw per-call outcomes of the event loop (arrays in arrival order)."""

    arrival: np.ndarray
    wait: np.ndarray
    answered: np.ndarray
    diverted: np.ndarray
    offered: np.ndarray
    sold: np.ndarray
    revenue: np.ndarray
    busy_seconds: float
    digital_revenue: float
    mode_switches: int


def _intervals(
    slot: np.ndarray,
    *,
    on_time: np.ndarray,
    t: Tallies,
    sold: np.ndarray,
    agents: list[int],
    width: float,
) -> tuple[IntervalStats, ...]:
    size = len(agents)
    slot = np.minimum(slot, size - 1)

    def per(weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(slot, weights=weights, minlength=size)

    calls, in_time = per((~t.diverted).astype(float)), per(on_time.astype(float))
    offers, sales = per(t.offered.astype(float)), per(sold.astype(float))
    abandoned, revenue = per((~t.answered & ~t.diverted).astype(float)), per(t.revenue)
    return tuple(
        IntervalStats(
            start_seconds=k * width,
            agents=agents[k],
            calls=int(calls[k]),
            service_level=_share(int(in_time[k]), int(calls[k])),
            abandoned=int(abandoned[k]),
            offers=int(offers[k]),
            sales=int(sales[k]),
            revenue=float(revenue[k]),
        )
        for k in range(size)
    )


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0
