"""Agents on shifts: staff each interval to its Erlang A requirement with whole shifts.

A planner computes how many agents every half hour needs to meet the service-level
target without selling, then covers that curve with shifts of fixed length, which
cannot follow it exactly: shifts started for the morning ramp are still on duty in the
lull after lunch. That overcover is the idle time the load gate turns into sales.

>>> cover_with_shifts([1, 3, 3, 1, 0, 0], shift_intervals=2)
(1, 3, 3, 1, 0, 0)
>>> cover_with_shifts([2, 4, 1, 1], shift_intervals=3)
(2, 4, 4, 2)
"""

from __future__ import annotations

from collections.abc import Sequence

from servesell.queueing.load import Load, Target
from servesell.queueing.staffing import agents_required


def required_agents(
    calls_per_hour: Sequence[float],
    *,
    aht_seconds: float,
    target: Target,
    patience_seconds: float | None,
) -> tuple[int, ...]:
    """Agents each interval needs to meet ``target`` with service-only handle times."""
    return tuple(
        agents_required(Load(rate, aht_seconds), target, patience_seconds=patience_seconds)
        if rate > 0
        else 0
        for rate in calls_per_hour
    )


def cover_with_shifts(
    required: Sequence[int], *, shift_intervals: int, max_agents: int | None = None
) -> tuple[int, ...]:
    """Agents on duty per interval when whole shifts cover ``required`` (greedy, earliest first).

    Shifts start where the cover first falls short (or early enough to end by the end of
    the day); ``max_agents`` caps the agents on duty at once (the seats).
    """
    if shift_intervals < 1:
        raise ValueError(f"shift_intervals must be >= 1, got {shift_intervals!r}")
    if max_agents is not None and max_agents < 0:
        raise ValueError(f"max_agents must be >= 0, got {max_agents!r}")
    size = len(required)
    length = min(shift_intervals, size)
    cap = max_agents if max_agents is not None else max(required, default=0)
    cover = [0] * size
    for k, need in enumerate(required):
        short = min(need, cap) - cover[k]
        if short > 0:
            start = min(k, size - length)
            for j in range(start, start + length):
                cover[j] += short
    return tuple(min(c, cap) for c in cover)
