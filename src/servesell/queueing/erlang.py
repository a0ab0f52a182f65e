"""Erlang B and Erlang C (M/M/n): blocking, waiting and service level without abandonment.

Computed with the Erlang B recursion B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)) and
C = n·B / (n − A·(1 − B)), so there are no factorials or powers to overflow: thousands
of agents are as exact as ten.

>>> m = erlang_c(Load(calls_per_hour=200, aht_seconds=180), agents=14, target_seconds=20)
>>> round(m.p_wait, 7), round(m.service_level, 5), round(m.asa_seconds, 3)
(0.1741319, 0.88835, 7.836)
"""

from __future__ import annotations

import math

from servesell.queueing.load import Load, require_agents
from servesell.queueing.metrics import QueueMetrics


def erlang_b(agents: int, erlangs: float) -> float:
    """Probability that a call finds all ``agents`` busy in a loss system (Erlang B)."""
    if agents < 0:
        raise ValueError(f"agents must be >= 0, got {agents!r}")
    if erlangs < 0:
        raise ValueError(f"erlangs must be >= 0, got {erlangs!r}")
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = erlangs * blocking / (k + erlangs * blocking)
    return blocking


def erlang_c_wait_probability(agents: int, erlangs: float) -> float:
    """Probability that a call waits (Erlang C); 1 when the queue is unstable (A ≥ n)."""
    if erlangs >= agents:
        return 1.0
    blocking = erlang_b(agents, erlangs)
    return agents * blocking / (agents - erlangs * (1.0 - blocking))


def erlang_c(load: Load, agents: int, target_seconds: float) -> QueueMetrics:
    """Erlang C metrics for ``agents`` agents serving ``load`` with infinitely patient callers.

    Raises ``ValueError`` when the load is at or above capacity: without abandonment
    such a queue grows for ever (use :func:`~servesell.queueing.abandonment.erlang_a`).
    """
    require_agents(agents)
    if target_seconds < 0:
        raise ValueError(f"target_seconds must be >= 0, got {target_seconds!r}")
    erlangs = load.erlangs
    if erlangs >= agents:
        raise ValueError(
            f"offered load {erlangs:.4g} Erlang needs more than {agents} agents: an Erlang C "
            "queue without abandonment is unstable (give a patience to use Erlang A)"
        )
    p_wait = erlang_c_wait_probability(agents, erlangs)
    drain_per_second = (agents - erlangs) / load.aht_seconds
    return QueueMetrics(
        agents=agents,
        p_wait=p_wait,
        asa_seconds=p_wait / drain_per_second if erlangs > 0 else 0.0,
        service_level=max(0.0, 1.0 - p_wait * math.exp(-drain_per_second * target_seconds)),
        occupancy=erlangs / agents,
    )
