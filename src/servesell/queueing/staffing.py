"""How many agents a load needs to meet a service-level target (Erlang C or Erlang A).

>>> agents_required(Load(200, 180), Target(0.8, 20))
14
>>> agents_required(Load(200, 180), Target(0.8, 20), patience_seconds=300)
13
"""

from __future__ import annotations

import math

from servesell.queueing.abandonment import erlang_a
from servesell.queueing.erlang import erlang_c
from servesell.queueing.load import Load, Target
from servesell.queueing.metrics import QueueMetrics


def predict(
    load: Load, agents: int, target_seconds: float, patience_seconds: float | None = None
) -> QueueMetrics:
    """Erlang A metrics when a patience is given, else Erlang C."""
    if patience_seconds is None:
        return erlang_c(load, agents, target_seconds)
    return erlang_a(load, agents, target_seconds, patience_seconds)


def agents_required(
    load: Load,
    target: Target,
    *,
    patience_seconds: float | None = None,
    max_occupancy: float = 1.0,
) -> int:
    """The fewest agents whose service level meets ``target`` at ``load``.

    Without patience (Erlang C) the answer exceeds the offered Erlangs; ``max_occupancy``
    adds the planner's ceiling on the share of time agents spend on calls.
    """
    if not 0 < max_occupancy <= 1:
        raise ValueError(f"max_occupancy must be in (0, 1], got {max_occupancy!r}")
    floor = max(1, math.floor(load.erlangs / max_occupancy))
    if patience_seconds is None:
        floor = max(floor, math.floor(load.erlangs) + 1)
    low, high = floor, floor
    while not _meets(load, high, target, patience_seconds, max_occupancy):
        low, high = high + 1, high * 2
    while low < high:
        middle = (low + high) // 2
        if _meets(load, middle, target, patience_seconds, max_occupancy):
            high = middle
        else:
            low = middle + 1
    return high


def _meets(
    load: Load, agents: int, target: Target, patience: float | None, max_occupancy: float
) -> bool:
    metrics = predict(load, agents, target.seconds, patience)
    return metrics.service_level >= target.level and metrics.occupancy <= max_occupancy
