"""The engine's default gate when none is given: a fixed budget of offer seconds.

The real busy/idle gates (threshold, Erlang A headroom, with hysteresis) live in
``servesell.queueing``; the engine only needs the :class:`LoadGate` protocol.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from servesell.domain.queue import QueueState


class FixedBudgetGate:
    """A gate that always allows the same number of extra seconds (``0``: never sell)."""

    def __init__(self, seconds: float = 600.0) -> None:
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {seconds}")
        self.seconds = seconds

    def allowed_extra_seconds(self, queue_state: QueueState | None) -> float:
        """The fixed budget, whatever the queue."""
        return self.seconds
