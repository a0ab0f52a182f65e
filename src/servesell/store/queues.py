"""The latest state of each queue as the ACD/CTI reported it, shared by every worker."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select

from servesell.domain.queue import QueueState
from servesell.store.tables import queue_states
from servesell.store.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection

_LATEST = select(queue_states.c.state).where(queue_states.c.queue == bindparam("queue"))


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


def load_queue_state(conn: Connection, queue: str) -> QueueState | None:
    """The last reported state of ``queue``, or ``None`` when it never reported."""
    stored = conn.execute(_LATEST, {"queue": queue}).scalar_one_or_none()
    return None if stored is None else QueueState.model_validate(stored)


def list_queue_states(conn: Connection) -> list[QueueState]:
    """The last reported state of every queue, by queue name."""
    rows = conn.execute(select(queue_states.c.state).order_by(queue_states.c.queue)).scalars()
    return [QueueState.model_validate(state) for state in rows]
