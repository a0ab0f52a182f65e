"""The serve/sell mode of a queue: what the load gate allows a call to add right now."""

from __future__ import annotations

import datetime as dt
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
    runtime: Runtime,
    conn: Connection,
    queue: str,
    state: QueueState | None = None,
    *,
    at: dt.datetime | None = None,
) -> QueueMode:
    """Serve or sell for ``queue`` at ``at`` (default now), judged on ``state``.

    ``state`` defaults to the queue's last reported state.
    """
    gate = runtime.engine(conn).gate
    state = live_state(runtime, conn, queue, state, at=at or dt.datetime.now(dt.UTC))
    seconds = gate.allowed_extra_seconds(state)
    return QueueMode(queue, Mode.SELL if seconds > 0 else Mode.SERVE, seconds, state)


def live_state(
    runtime: Runtime,
    conn: Connection,
    queue: str,
    state: QueueState | None = None,
    *,
    at: dt.datetime | None = None,
) -> QueueState | None:
    """The queue's state (default: last reported) as of ``at``, rate and AHT filled in.

    An ACD reports on change, so a report holds until the next one: judged at a later
    ``at`` the state is stamped with that time (the gate's hysteresis counts how long the
    room has lasted). The Erlang A gate needs arrival rate and AHT; when the ACD does not
    report them they are estimated from the last 15 minutes of the log (answered calls,
    reported handle times, else the gate's default AHT), at most every few seconds per
    worker.
    """
    state = state if state is not None else load_queue_state(conn, queue)
    if state is not None and at is not None and at > state.at:
        state = state.model_copy(update={"at": at})
    if state is None or (state.arrival_rate_per_hour is not None and state.aht_seconds is not None):
        return state
    rate, aht = runtime.recent_load(conn, queue, state.at)
    return state.model_copy(
        update={
            "arrival_rate_per_hour": state.arrival_rate_per_hour
            if state.arrival_rate_per_hour is not None
            else rate,
            "aht_seconds": state.aht_seconds or aht or runtime.gate_settings.default_aht_seconds,
        }
    )
