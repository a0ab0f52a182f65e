"""Recording what the dialer reports on a call task, in the caller's transaction.

One attempt row per disposition; the task moves as :func:`journeys.dispositions.after`
says; a connected call is logged in ``calls`` on queue ``outbound`` (what the outbound
KPIs count); a refusal puts the number on the do-not-call list; a callback request
becomes a callback task owned by the agent, due at the asked time.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from servesell.domain.center import Call
from servesell.errors import NotFoundError, OutcomeError
from servesell.journeys.dispositions import Disposition, after
from servesell.journeys.schedule import TaskStatus
from servesell.journeys.spec import RetryRules
from servesell.store.center import insert_calls
from servesell.store.journeys import (
    add_attempt,
    add_do_not_call,
    add_task,
    get_task,
    list_journeys,
    set_task,
)
from servesell.store.tables import customers

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.journeys.dispositions import Next

CALLBACK_JOURNEY = "callback"
_CLOSED = (
    TaskStatus.DONE.value,
    TaskStatus.CLOSED.value,
    TaskStatus.STALE.value,
    TaskStatus.SKIPPED.value,
)


def record_disposition(
    conn: Connection,
    task_id: int,
    disposition: Disposition,
    *,
    at: dt.datetime,
    agent_id: str | None = None,
    callback_at: dt.datetime | None = None,
    outcomes: dict[str, str] | None = None,
    handle_seconds: float = 0.0,
    rules: RetryRules | None = None,
    log_call: bool = True,
) -> Next:
    """Apply ``disposition`` to task ``task_id``; ``OutcomeError`` if the task is closed.

    ``rules`` default to the task's journey's retry rules. ``log_call`` is off when the task
    was done in an inbound call (that call is already in the log).
    """
    task = get_task(conn, task_id, lock=True)
    if task is None:
        raise NotFoundError("task", str(task_id))
    if task.status in _CLOSED:
        raise OutcomeError(f"task {task_id} is already {task.status}: no further disposition")
    if disposition is Disposition.CALLBACK and callback_at is None:
        raise OutcomeError("a callback disposition needs the time to call back (callback_at)")
    rules = rules or _rules_of(conn, task.journey_id)
    attempts = task.attempts + 1
    nxt = after(disposition, attempts=attempts, at=at, rules=rules, callback_at=callback_at)
    detail: dict[str, Any] = {"outcomes": outcomes or {}}
    add_attempt(conn, task, at=at, disposition=disposition.value, agent_id=agent_id, detail=detail)
    set_task(
        conn,
        task.id,
        status=nxt.status.value,
        reason=nxt.reason,
        attempts=attempts,
        last_attempt_at=at,
        next_attempt_at=nxt.next_attempt_at,
    )
    if disposition.connected and log_call:
        queue_reason = f"journey:{task.journey_id}"[:64]
        call_id = f"task-{task.id}-{attempts}"
        insert_calls(
            conn,
            [
                Call(
                    call_id,
                    task.customer_id,
                    at,
                    queue_reason,
                    handle_seconds,
                    agent_id,
                    queue="outbound",
                )
            ],
        )
    if nxt.do_not_call:
        phone = conn.execute(
            select(customers.c.phone).where(customers.c.id == task.customer_id)
        ).scalar_one_or_none()
        if phone:
            add_do_not_call(conn, [phone], source="refused")
    if nxt.callback_at is not None:
        grace = dt.timedelta(minutes=rules.callback_grace_minutes)
        add_task(
            conn,
            {
                "journey_id": CALLBACK_JOURNEY,
                "step": "call_back",
                "event_id": f"task-{task.id}",
                "customer_id": task.customer_id,
                "channel": "call",
                "team": task.team,
                "owner_agent": agent_id,
                "due_from": nxt.callback_at,
                "valid_until": nxt.callback_at + dt.timedelta(days=2),
                "status": "open",
                "reason": None,
                "grace_until": nxt.callback_at + grace,
            },
        )
    return nxt


def _rules_of(conn: Connection, journey_id: str) -> RetryRules:
    """The retry rules of ``journey_id`` (defaults for callbacks, bursts and unknown ids)."""
    found = next((j for j in list_journeys(conn, active_only=False) if j.id == journey_id), None)
    return found.retry if found is not None else RetryRules()
