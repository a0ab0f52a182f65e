"""A threshold on calls waiting, steered by the day's running service level (``gated``).

A static ``threshold:N`` chooses *where* to sell well (on calls answered while few
callers wait, Armony and Gurvich 2010) but its N is right only for days like the ones
it was tuned on. This gate keeps the threshold's rule and moves N with the ACD's
running service level of the day (``QueueState.service_level_today``)::

    N = floor((today − (target + buffer)) / step)      clipped to [−1, most_waiting]

sell while ``calls_waiting <= N``; ``N = −1`` serves. A day running ``step`` above the
aim may sell with one more caller waiting; a day at or below the aim sells only when
nobody waits, and one below it by more than ``step`` not at all. The quiet hours lift
the running level, which the busy ones then spend on the threshold's terms, and the day
ends near the aim whatever its load. Without the day's level (an ACD that does not
report it) the gate is ``threshold:unknown_waiting``.

>>> import datetime as dt
>>> from servesell.domain import QueueState
>>> at = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
>>> gate = SteeredThresholdGate(buffer=0.005, step=0.005)
>>> gate.max_waiting(0.83), gate.max_waiting(0.812), gate.max_waiting(0.79)
(5, 1, -1)
>>> gate.allowed_extra_seconds(QueueState(at=at, calls_waiting=3, agents_staffed=20,
...                                       agents_available=0, service_level_today=0.83))
300.0
"""

from __future__ import annotations

import math
from typing import Any

from servesell.domain.queue import QueueState
from servesell.queueing.gate.base import GatePolicy


class SteeredThresholdGate(GatePolicy):
    """Sell while at most N calls wait, N steered by the day's running service level."""

    name = "gated"

    def __init__(
        self,
        *,
        buffer: float = 0.005,
        step: float = 0.005,
        most_waiting: int = 5,
        unknown_waiting: int = 2,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        if not -self.target.level < buffer < 1 - self.target.level:
            raise ValueError(f"buffer must keep the aim in (0, 1), got {buffer!r}")
        if not step > 0:
            raise ValueError(f"step must be > 0, got {step!r}")
        if most_waiting < 0:
            raise ValueError(f"most_waiting must be >= 0, got {most_waiting!r}")
        if unknown_waiting < -1:
            raise ValueError(f"unknown_waiting must be >= -1, got {unknown_waiting!r}")
        self.buffer = float(buffer)
        self.step = float(step)
        self.most_waiting = int(most_waiting)
        self.unknown_waiting = int(unknown_waiting)

    def max_waiting(self, service_level_today: float | None) -> int:
        """Most calls waiting at which a call may carry an offer now (−1: serve)."""
        if service_level_today is None:
            return self.unknown_waiting
        above = service_level_today - self.target.level - self.buffer
        steps = math.floor(above / self.step + 1e-9)
        return min(self.most_waiting, max(-1, steps))

    def _budget(self, state: QueueState) -> float:
        if state.calls_waiting <= self.max_waiting(state.service_level_today):
            return self.budget_seconds
        return 0.0
