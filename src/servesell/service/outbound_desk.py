"""Inbound meets outbound: open tasks on the agent's screen, callbacks, and who won the contact.

When a customer with an open outbound task calls in, the desktop shows the task's
purpose and script; completing it in the call closes the task (no outbound call is
logged, the attempt says ``inbound``). Which side won the contact and why is written to
the audit log under the decision's id (``contact_arbitration``), once per decision: a
complaint call serves only; otherwise the planned outbound purpose is done first, since
it was already counted against the customer's caps, and the engine's offers follow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.errors import OutcomeError
from servesell.journeys.dispositions import Disposition
from servesell.journeys.schedule import TaskStatus
from servesell.journeys.spec import StepChannel
from servesell.store.audit import audit
from servesell.store.dispositions import CALLBACK_JOURNEY, record_disposition
from servesell.store.journeys import all_steps, get_task, tasks_where
from servesell.store.tables import journey_tasks

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.store.journeys import Task

SOON = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class TaskView:
    """An open outbound task as an agent sees it."""

    id: int
    customer_id: str
    journey_id: str
    step: str
    purpose: str
    script: str
    due_from: dt.datetime
    owner_agent: str | None
    overdue: bool


def open_tasks_of(conn: Connection, customer_id: str, at: dt.datetime) -> list[TaskView]:
    """The customer's open call tasks due by tomorrow and still valid, soonest first."""
    t = journey_tasks.c
    tasks = tasks_where(
        conn,
        t.customer_id == customer_id,
        t.status == TaskStatus.OPEN.value,
        t.channel == StepChannel.CALL.value,
        t.due_from <= at + SOON,
        t.valid_until > at,
    )
    return _views(conn, tasks, at)


def callbacks_of(conn: Connection, agent_id: str, at: dt.datetime) -> list[TaskView]:
    """Callbacks the agent owns that are still open (overdue ones first)."""
    t = journey_tasks.c
    tasks = tasks_where(
        conn,
        t.journey_id == CALLBACK_JOURNEY,
        t.owner_agent == agent_id,
        t.status == TaskStatus.OPEN.value,
    )
    return _views(conn, tasks, at)


def note_arbitration(
    conn: Connection,
    *,
    decision_id: str,
    customer_id: str,
    call_reason: str,
    complaint_reasons: frozenset[str],
    shown_offers: int,
    at: dt.datetime,
) -> str | None:
    """Log who won this inbound contact when an outbound task was open; the winner or ``None``."""
    tasks = open_tasks_of(conn, customer_id, at)
    if not tasks:
        return None
    first = tasks[0]
    if call_reason in complaint_reasons:
        winner, why = "service", "complaint call: serve only, the outbound task waits"
    else:
        winner = f"journey:{first.journey_id}"
        why = "planned outbound purpose is done first (already counted in the caps)"
    audit(
        conn,
        actor="desk",
        action="contact_arbitration",
        entity="decision",
        entity_id=decision_id,
        before={"task": first.id, "inbound_offers": shown_offers},
        after={"winner": winner, "why": why},
    )
    return winner


def complete_inbound(
    conn: Connection,
    task_id: int,
    *,
    customer_id: str,
    agent_id: str,
    call_id: str,
    at: dt.datetime,
) -> None:
    """Close ``task_id`` as done in the inbound call ``call_id`` (of that customer only)."""
    task = get_task(conn, task_id)
    if task is None or task.customer_id != customer_id:
        raise OutcomeError(f"task {task_id} is not an open task of customer {customer_id}")
    record_disposition(
        conn,
        task_id,
        Disposition.ANSWERED,
        at=at,
        agent_id=agent_id,
        outcomes={"inbound_call": call_id},
        log_call=False,
    )
    audit(
        conn,
        actor=agent_id,
        action="task_done_inbound",
        entity="task",
        entity_id=str(task_id),
        before={"status": task.status},
        after={"status": TaskStatus.DONE.value, "call": call_id},
    )


def _views(conn: Connection, tasks: list[Task], at: dt.datetime) -> list[TaskView]:
    steps = all_steps(conn)
    out = []
    for task in tasks:
        step = steps.get((task.journey_id, task.step))
        purpose = step.purpose if step else "callback requested by the customer"
        out.append(
            TaskView(
                task.id,
                task.customer_id,
                task.journey_id,
                task.step,
                purpose,
                step.script if step else "",
                task.due_from,
                task.owner_agent,
                task.due_from < at,
            )
        )
    return out
