"""Digital journey steps go out through the same outbox as every follow-up.

A due SMS, e-mail or WeChat step is logged as a decision on queue ``outbound`` (reason
``journey:<id>``, call id ``task-<task id>``) with one ``digital`` candidate, and queued by
:func:`service.outbox.enqueue_follow_ups` in the same transaction — so it uses the same
templates, tracked links, idempotency key, send-time checks (quiet hours, opt-out,
channel caps) and counts in the contact history every decision reads. The task then
says ``queued`` (queued is not sent: the outbox shows what became of it). Without
templates loaded nothing is queued and the task stays open with ``templates_not_loaded``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from servesell.domain import Candidate, Channel, Fate, Mode, Scores
from servesell.domain.center import CallContext
from servesell.domain.decision import Decision
from servesell.errors import NotFoundError
from servesell.journeys.contactability import who_blocks, zone_of
from servesell.journeys.schedule import TaskStatus
from servesell.journeys.spec import StepChannel
from servesell.journeys.windows import inside
from servesell.service.outbox import enqueue_follow_ups
from servesell.store import get_customer, get_offer, insert_decision, require_schema
from servesell.store.channel_templates import load_templates
from servesell.store.journey_events import planning_customers
from servesell.store.journeys import all_steps, set_task, tasks_where
from servesell.store.tables import journey_tasks

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.journeys.contactability import Reach
    from servesell.journeys.spec import Step
    from servesell.store.channel_templates import load_templates
from servesell.store.journeys import Task


def queue_due_messages(
    conn: Connection, as_of: dt.datetime, *, base_url: str, tz: dt.tzinfo
) -> dict[str, int]:
    """Queue every digital step due at ``as_of`` inside its window; counts by result."""
    t = journey_tasks.c
    due = tasks_where(
        conn,
        t.status == TaskStatus.OPEN.value,
        t.channel != StepChannel.CALL.value,
        t.due_from <= as_of,
        t.valid_until > as_of,
    )
    if not due:
        return {}
    steps = all_steps(conn)
    people = planning_customers(
        conn,
        {task.customer_id for task in due},
        zone_field="timezone",
        consent_field="marketing_consent",
    )
    counts: dict[str, int] = {}
    for task in due:
        step = steps.get((task.journey_id, task.step))
        person = people.get(task.customer_id)
        if step is None or person is None:
            continue
        result = _queue_one(conn, task, step, person.reach, as_of, base_url=base_url, tz=tz)
        counts[result] = counts.get(result, 0) + 1
    return counts


def _queue_one(
    conn: Connection,
    task: Task,
    step: Step,
    reach: Reach,
    as_of: dt.datetime,
    *,
    base_url: str,
    tz: dt.tzinfo,
) -> str:
    blocked = who_blocks(reach, step.channel)
    if blocked is not None:
        set_task(conn, task.id, status=TaskStatus.SKIPPED.value, reason=blocked.value)
        return blocked.value
    zone = zone_of(reach.zone)
    if zone is None or not inside(as_of, zone, step.windows):
        return "outside_window"  # stays open: a later run queues it inside the window
    if load_templates(conn) is None:
        set_task(conn, task.id, reason="templates_not_loaded")
        return "templates_not_loaded"
    try:
        offer = get_offer(conn, step.offer or "")
    except NotFoundError:
        set_task(conn, task.id, reason="unknown_offer")
        return "unknown_offer"
    customer = get_customer(conn, task.customer_id, require_schema(conn))
    channel = Channel(step.channel.value)
    decision = Decision(
        id=uuid.uuid4().hex,
        customer_id=task.customer_id,
        made_at=as_of,
        context=CallContext(
            at=as_of,
            reason=f"journey:{task.journey_id}"[:64],
            call_id=f"task-{task.id}",
            queue="outbound",
        ),
        mode=Mode.SELL,
        budget_seconds=0.0,
        explored=False,
        candidates=(
            Candidate(
                offer.id,
                Fate.DIGITAL,
                "journey_step",
                Scores(offer.prior_propensity, offer.value),
                channel,
                1.0,
                1,
            ),
        ),
        policy=f"journey:{task.journey_id}"[:64],
    )
    insert_decision(conn, decision)
    (message,) = enqueue_follow_ups(
        conn, decision, customer, {offer.id: offer}, base_url=base_url, tz=tz, now=as_of
    )
    status = TaskStatus.QUEUED if message.status.value == "queued" else TaskStatus.CLOSED
    set_task(
        conn,
        task.id,
        status=status.value,
        reason=message.reason or message.status.value,
        attempts=task.attempts + 1,
        last_attempt_at=as_of,
    )
    return status.value
