"""Sell while at most N calls wait: one static threshold for the whole day.

>>> import datetime as dt
>>> from servesell.domain import QueueState
>>> at = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
>>> gate = ThresholdGate(3)
>>> gate.allowed_extra_seconds(QueueState(at=at, calls_waiting=4, agents_staffed=20,
...                                       agents_available=0))
0.0
>>> gate.allowed_extra_seconds(QueueState(at=at, calls_waiting=3, agents_staffed=20,
...                                       agents_available=0)), gate.mode.value
(300.0, 'sell')
"""

from __future__ import annotations

from typing import Any

from servesell.domain.queue import QueueState
from servesell.queueing.gate.base import GatePolicy


class ThresholdGate(GatePolicy):
    """Sell while ``calls_waiting <= max_waiting``."""

    name = "threshold"

    def __init__(self, max_waiting: int, **options: Any) -> None:
        if isinstance(max_waiting, bool) or not isinstance(max_waiting, int) or max_waiting < 0:
            raise ValueError(f"threshold must be a non-negative integer, got {max_waiting!r}")
        super().__init__(**options)
        self.max_waiting = max_waiting

    @property
    def spec(self) -> str:
        """``threshold:N``."""
        return f"threshold:{self.max_waiting}"

    def _budget(self, state: QueueState) -> float:
        return self.budget_seconds if state.calls_waiting <= self.max_waiting else 0.0
