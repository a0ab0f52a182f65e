"""The serve/sell mode of a queue: what the load gate allows a call to add right now.

A queue's state comes from the ACD's last report; what it does not report (arrival rate,
handle time) is estimated from the log through this module's :class:`LoadCache`.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.domain import QueueState  # at runtime: the API serialises QueueMode
from servesell.domain.decision import Mode
from servesell.store.queues import load_queue_state, recent_load, saves_in_process

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.domain import LoadGate

LOAD_CACHE_SECONDS = 5.0
"""How long an estimate of a queue's recent load is reused."""

STATE_CACHE_SECONDS = 0.25
"""How long a queue's last reported state is reused without reading it again.

A state reported to this process drops the cached one at once; one reported to another
worker is seen here at most this late. The ACD reports on change and the report itself
travels for tens of milliseconds, so a quarter second adds little to how old the state
already is when it arrives; in exchange the screen pop saves a round trip per call."""


@dataclass(frozen=True, slots=True)
class QueueMode:
    """A queue's mode, the offer seconds a call may add, and the state it was judged on.

    ``divert`` tells the ACD to offer waiting callers self-service or a callback now
    (the gate's :meth:`~servesell.domain.LoadGate.diverts`: callers are waiting and the
    longest has waited past the target's seconds).
    """

    queue: str
    mode: Mode
    allowed_extra_seconds: float
    state: QueueState | None
    divert: bool = False

    @property
    def occupancy(self) -> float | None:
        """Share of staffed agents not available (talking or in wrap-up), when reported."""
        state = self.state
        if state is None or state.agents_staffed == 0:
            return None
        return (state.agents_staffed - state.agents_available) / state.agents_staffed


class LoadCache:
    """Answered calls per hour and mean handle time of each queue lately, per worker."""

    def __init__(
        self, ttl: float = LOAD_CACHE_SECONDS, state_ttl: float = STATE_CACHE_SECONDS
    ) -> None:
        self.ttl = ttl
        self.state_ttl = state_ttl
        self._loads: dict[str, tuple[float, tuple[float, float | None]]] = {}
        self._states: dict[str, tuple[float, int, QueueState | None]] = {}

    def state(self, conn: Connection, queue: str) -> QueueState | None:
        """The queue's last reported state, read at most every ``state_ttl`` seconds.

        Reporting a state in this process (:func:`~servesell.store.save_queue_state`)
        drops the cached one, so this process never judges on a state older than its own
        last report; see :data:`STATE_CACHE_SECONDS` for the other workers' reports.
        """
        hit = self._states.get(queue)
        now = time.monotonic()
        saves = saves_in_process()
        if hit is not None and hit[1] == saves and now - hit[0] < self.state_ttl:
            return hit[2]
        state = load_queue_state(conn, queue)
        self._states[queue] = (now, saves, state)
        return state

    def recent(self, conn: Connection, queue: str, at: dt.datetime) -> tuple[float, float | None]:
        """The queue's load over the last 15 minutes of the log before ``at`` (cached)."""
        hit = self._loads.get(queue)
        now = time.monotonic()
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        load = recent_load(conn, queue, at)
        self._loads[queue] = (now, load)
        return load


def judge(gate: LoadGate, queue: str, state: QueueState | None) -> QueueMode:
    """Serve or sell for ``queue`` on ``state``, as ``gate`` decides."""
    seconds = gate.allowed_extra_seconds(state)
    mode = Mode.SELL if seconds > 0 else Mode.SERVE
    return QueueMode(queue, mode, seconds, state, divert=gate.diverts(state))


def live_state(
    conn: Connection,
    loads: LoadCache,
    queue: str,
    state: QueueState | None = None,
    *,
    at: dt.datetime,
    default_aht_seconds: float,
) -> QueueState | None:
    """The queue's state (default: last reported) as of ``at``, rate and AHT filled in.

    An ACD reports on change, so a report holds until the next one: judged at a later
    ``at`` the state is stamped with that time (the gate's hysteresis counts how long the
    room has lasted). The Erlang A gate needs arrival rate and AHT; when the ACD does not
    report them they are estimated from the last 15 minutes of the log (answered calls,
    reported handle times, else ``default_aht_seconds``), at most every few seconds per
    worker; the last report itself is re-read at most every :data:`STATE_CACHE_SECONDS`.
    """
    state = state if state is not None else loads.state(conn, queue)
    if state is not None and at > state.at:
        state = state.model_copy(update={"at": at})
    if state is None or (state.arrival_rate_per_hour is not None and state.aht_seconds is not None):
        return state
    rate, aht = loads.recent(conn, queue, state.at)
    reported_rate = state.arrival_rate_per_hour
    return state.model_copy(
        update={
            "arrival_rate_per_hour": reported_rate if reported_rate is not None else rate,
            "aht_seconds": state.aht_seconds or aht or default_aht_seconds,
        }
    )
