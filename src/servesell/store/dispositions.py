"""Recording what the dialer reports on a call task, in the caller's transaction.

One attempt row per disposition; the task moves as :func:`journeys.dispositions.after`
says; every attempt is logged in ``calls`` on queue ``outbound`` (what the outbound KPIs
count: dialled, and connected when its handle time is above 0); the offers an answered call
made (``outcomes``: offer id → accepted / declined) are logged as a decision on that call
with their outcomes, so outbound sales and close rate come from the same log as inbound; a
refusal puts the number on the do-not-call list; a callback request becomes a callback task
owned by the agent, due at the asked time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from servesell.domain import Candidate, Channel, Fate, Mode, OutcomeResult, Scores
from servesell.domain.center import Call, CallContext
from servesell.domain.decision import Decision, Outcome
from servesell.errors import NotFoundError, OutcomeError
from servesell.journeys.dispositions import Disposition, after
from servesell.journeys.schedule import TaskStatus
from servesell.journeys.spec import RetryRules
from servesell.store.center import insert_calls
from servesell.store.decisions import insert_decision
from servesell.store.journeys import (
    add_attempt,
    add_do_not_call,
    add_task,
    get_task,
    list_journeys,
    set_task,
)
from servesell.store.offers import get_offer
from servesell.store.outcomes import record_outcome
from servesell.store.tables import customers

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.domain import Offer
    from servesell.journeys.dispositions import Next
    from servesell.store.journeys import Task

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
    call_id = f"task-{task.id}-{attempts}"
    detail: dict[str, Any] = {"outcomes": outcomes or {}}
    if log_call:
        seconds = max(handle_seconds, 1.0) if disposition.connected else 0.0
        call = Call(
            call_id,
            task.customer_id,
            at,
            f"journey:{task.journey_id}"[:64],
            seconds,
            agent_id,
            queue="outbound",
        )
        insert_calls(conn, [call])
        if disposition is Disposition.ANSWERED and outcomes:
            detail["decision_id"] = _log_offers(conn, task, call, outcomes)
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


def _log_offers(conn: Connection, task: Task, call: Call, results: dict[str, str]) -> str | None:
    """Log the offers an answered call made as a decision on the call, with their outcomes.

    Keys of ``results`` that are catalog offers with ``accepted`` or ``declined`` count: the
    KPIs see the sales of outbound calls (close rate) and the contact history the answers.
    Anything else (a step's own outcome such as ``satisfied``) stays in the attempt's detail.
    """
    made: list[tuple[Offer, OutcomeResult]] = []
    for offer_id, result in results.items():
        if result not in (OutcomeResult.ACCEPTED.value, OutcomeResult.DECLINED.value):
            continue
        try:
            made.append((get_offer(conn, offer_id), OutcomeResult(result)))
        except NotFoundError:
            continue
    if not made:
        return None
    decision = Decision(
        id=uuid.uuid4().hex,
        customer_id=task.customer_id,
        made_at=call.started_at,
        context=CallContext(
            at=call.started_at,
            reason=call.reason,
            agent_id=call.agent_id,
            call_id=call.id,
            queue="outbound",
        ),
        mode=Mode.SELL,
        budget_seconds=0.0,
        explored=False,
        candidates=tuple(
            Candidate(
                offer.id,
                Fate.SHOWN,
                "journey_step",
                Scores(offer.prior_propensity, offer.value),
                Channel.IN_CALL,
                1.0,
                rank,
            )
            for rank, (offer, _) in enumerate(made, start=1)
        ),
        policy=f"journey:{task.journey_id}"[:64],
    )
    insert_decision(conn, decision)
    for offer, result in made:
        record_outcome(conn, Outcome(decision.id, offer.id, result, call.started_at))
    return decision.id
