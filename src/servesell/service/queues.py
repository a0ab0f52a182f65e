"""The serve/sell mode of a queue: what the load gate allows a call to add right now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.domain.decision import Mode
from servesell.store.queues import load_queue_state

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.domain import QueueState
    from servesell.service.runtime import Runtime


@dataclass(frozen=True, slots=True)
class QueueMode:
    """A queue's mode, the offer seconds a call may add, and the state it was judged on."""

    queue: str
    mode: Mode
    allowed_extra_seconds: float
    state: QueueState | None

    @property
    def occupancy(self) -> float | None:
        """Share of staffed agents not available (talking or in wrap-up), when reported."""
        state = self.state
        if state is None or state.agents_staffed == 0:
            return None
        return (state.agents_staffed - state.agents_available) / state.agents_staffed


def queue_mode(
    runtime: Runtime, conn: Connection, queue: str, state: QueueState | None = None
) -> QueueMode:
    """Serve or sell for ``queue``, judged on ``state`` (default: its last reported state)."""
    state = state if state is not None else load_queue_state(conn, queue)
    seconds = runtime.engine(conn).gate.allowed_extra_seconds(state)
    return QueueMode(queue, Mode.SELL if seconds > 0 else Mode.SERVE, seconds, state)
