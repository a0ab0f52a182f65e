"""The latest state of each queue as the ACD/CTI reported it, shared by every worker."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, select

from servesell.domain.queue import QueueState
from servesell.store.tables import calls, decisions, queue_states
from servesell.store.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection

_LATEST = select(queue_states.c.state).where(queue_states.c.queue == bindparam("queue"))
_saves = [0]
"""How many queue states this process has saved: the mark read caches check."""


def save_queue_state(conn: Connection, state: QueueState) -> None:
    """Replace the stored state of ``state.queue``."""
    upsert(
        conn,
        queue_states,
        [
            {
                "queue": state.queue,
                "state": state.model_dump(mode="json"),
                "updated_at": dt.datetime.now(dt.UTC),
            }
        ],
    )
    _saves[0] += 1


def saves_in_process() -> int:
    """How many queue states this process has saved so far (a cache's invalidation mark).

    A cache of :func:`load_queue_state` that remembers this count drops what it holds
    as soon as the process reports a new state, even before that transaction commits.
    """
    return _saves[0]


def load_queue_state(conn: Connection, queue: str) -> QueueState | None:
    """The last reported state of ``queue``, or ``None`` when it never reported."""
    stored = conn.execute(_LATEST, {"queue": queue}).scalar_one_or_none()
    return None if stored is None else QueueState.model_validate(stored)


def list_queue_states(conn: Connection) -> list[QueueState]:
    """The last reported state of every queue, by queue name."""
    rows = conn.execute(select(queue_states.c.state).order_by(queue_states.c.queue)).scalars()
    return [QueueState.model_validate(state) for state in rows]


def recent_load(
    conn: Connection, queue: str, until: dt.datetime, window_seconds: float = 900.0
) -> tuple[float, float | None]:
    """Answered calls per hour and mean handle seconds of ``queue`` in the window before ``until``.

    Calls are counted from the decision log (one decision per answered call); handle times
    come from calls the CTI reported as ended (``None`` when there are none yet).
    """
    since = until - dt.timedelta(seconds=window_seconds)
    answered = conn.execute(
        select(func.count()).where(
            decisions.c.queue == queue, decisions.c.made_at >= since, decisions.c.made_at < until
        )
    ).scalar_one()
    aht = conn.execute(
        select(func.avg(calls.c.handle_seconds)).where(
            calls.c.queue == queue, calls.c.started_at >= since, calls.c.started_at < until
        )
    ).scalar_one()
    return int(answered) * 3600.0 / window_seconds, None if aht is None else float(aht)
