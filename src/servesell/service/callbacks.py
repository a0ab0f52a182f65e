"""Callbacks: a customer's "call me later" becomes a task an agent owns for a while.

An inbound decline with a callback request (``callback_requests``, migration 0401) becomes a
callback task owned by the agent who took the call, due at the asked time (an hour later
when none was given); a dialer's ``callback`` disposition makes one directly. An owned
callback not taken within its grace goes to the team queue (reason ``grace_passed``) —
never silently stale.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from servesell.journeys.schedule import TaskStatus
from servesell.store.callbacks import open_callback_requests
from servesell.store.dispositions import CALLBACK_JOURNEY
from servesell.store.journeys import add_task, set_task, tasks_where
from servesell.store.tables import agents, callback_requests, journey_tasks

if TYPE_CHECKING:
    from sqlalchemy import Connection


def schedule_callbacks(conn: Connection, as_of: dt.datetime, grace_minutes: float = 30) -> int:
    """Turn open "call me later" requests into callback tasks owned by their agent."""
    made = 0
    for request in open_callback_requests(conn):
        due = request.due_at or request.requested_at + dt.timedelta(hours=1)
        new = add_task(
            conn,
            {
                "journey_id": CALLBACK_JOURNEY,
                "step": request.offer_id[:64],
                "event_id": f"decision-{request.decision_id}"[:64],
                "customer_id": request.customer_id,
                "channel": "call",
                "team": _team_of(conn, request.agent_id),
                "owner_agent": request.agent_id,
                "due_from": due,
                "valid_until": due + dt.timedelta(days=2),
                "status": TaskStatus.OPEN.value,
                "reason": None,
                "grace_until": due + dt.timedelta(minutes=grace_minutes),
            },
        )
        conn.execute(
            update(callback_requests)
            .where(
                callback_requests.c.decision_id == request.decision_id,
                callback_requests.c.offer_id == request.offer_id,
            )
            .values(status="scheduled")
        )
        made += int(new)
    return made


def release_callbacks(conn: Connection, as_of: dt.datetime) -> int:
    """Owned callbacks not taken within their grace go to the team queue (never silently stale)."""
    t = journey_tasks.c
    late = tasks_where(
        conn, t.status == TaskStatus.OPEN.value, t.owner_agent.is_not(None), t.grace_until <= as_of
    )
    for task in late:
        set_task(conn, task.id, owner_agent=None, reason="grace_passed", updated_at=as_of)
    return len(late)


def _team_of(conn: Connection, agent_id: str | None) -> str | None:
    """The team of ``agent_id`` (where the callback goes after its grace), if known."""
    if agent_id is None:
        return None
    query = select(agents.c.team_id).where(agents.c.id == agent_id)
    team: str | None = conn.execute(query).scalar_one_or_none()
    return team
