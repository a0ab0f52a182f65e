"""The learning log: every piece of evidence for the online model, once, in commit order.

An outcome that teaches something (an in-call accept or decline, a digital answer) is
copied into ``learning_events`` in the transaction that stores it (:func:`log_outcome`),
with the customer's profile as it is then and the propensity the decision used. A
digital send nobody answered within the attribution window becomes a *no* when
:func:`expire_digital` sweeps it. Each event takes the next ``seq`` from the one row of
``learning_clock``; that row stays locked until the transaction commits, so ``seq`` is
handed out in commit order with no gaps: a reader that has applied everything up to
``seq = n`` can never later find an event below ``n`` it has missed. ``(decision, offer,
channel)`` is unique, so a retried request or a second sweep never adds a second event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from servesell.domain.center import CallContext
from servesell.domain.customer import Customer
from servesell.domain.decision import Fate, OutcomeResult
from servesell.domain.offer import Channel
from servesell.domain.schema import from_json_values
from servesell.store.tables import (
    customers,
    decision_candidates,
    decisions,
    learning_clock,
    learning_events,
    outcomes,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.domain.decision import Outcome
    from servesell.domain.schema import ProfileSchema

CLOCK = "events"
"""The name of the clock row of ``learning_events``."""


@dataclass(frozen=True, slots=True)
class LearningEvent:
    """One answer to one offer on one channel, as the decision saw the customer."""

    seq: int
    offer_id: str
    channel: Channel
    accepted: bool
    customer: Customer
    context: CallContext
    predicted: float
    recorded_at: dt.datetime
    delay_seconds: float
    outcome_id: int | None


def log_outcome(conn: Connection, outcome: Outcome) -> bool:
    """Copy a just-stored outcome into the learning log; ``True`` when it is evidence.

    Call it inside the transaction that stored the outcome: the event commits or rolls
    back with it. ``not_offered`` teaches nothing and is not logged; an outcome already
    in the log (or a digital send already expired as a *no*) is not logged twice.
    """
    if outcome.result is OutcomeResult.NOT_OFFERED:
        return False
    row = conn.execute(
        _SOURCE.where(
            outcomes.c.decision_id == outcome.decision_id,
            outcomes.c.offer_id == outcome.offer_id,
            outcomes.c.channel == outcome.channel.value,
        )
    ).first()
    if row is None:
        return False
    accepted = row.result == OutcomeResult.ACCEPTED.value
    return _insert(conn, [_event_row(row, accepted, row.id, row.recorded_at)])


def expire_digital(
    conn: Connection, *, now: dt.datetime, window: dt.timedelta, limit: int = 1000
) -> int:
    """Log as a *no* every digital send older than ``window`` with no answer logged yet.

    Returns how many were expired (at most ``limit`` per call). Safe to run from every
    worker at once: the clock's row lock serialises the sweeps.
    """
    _reserve(conn, 0)  # lock the clock first, so concurrent sweeps see each other's rows
    done = learning_events.alias("done")
    query = (
        _CANDIDATE_SOURCE.outerjoin(
            done,
            and_(
                done.c.decision_id == decision_candidates.c.decision_id,
                done.c.offer_id == decision_candidates.c.offer_id,
                done.c.channel == decision_candidates.c.channel,
            ),
        )
        .where(
            decision_candidates.c.fate == Fate.DIGITAL.value,
            decisions.c.made_at < now - window,
            done.c.seq.is_(None),
        )
        .order_by(decisions.c.made_at, decisions.c.id, decision_candidates.c.offer_id)
        .limit(limit)
    )
    rows = [_event_row(r, False, None, now) for r in conn.execute(query)]
    _insert(conn, rows)
    return len(rows)


def iter_events(
    conn: Connection, schema: ProfileSchema, *, after: int = 0, limit: int | None = None
) -> Iterator[LearningEvent]:
    """Events with ``seq`` above ``after``, in ``seq`` order (at most ``limit``)."""
    query = select(learning_events).order_by(learning_events.c.seq)
    batch = 2000 if limit is None else min(limit, 2000)
    left = limit
    while left is None or left > 0:
        size = batch if left is None else min(batch, left)
        rows = conn.execute(query.where(learning_events.c.seq > after).limit(size)).all()
        for r in rows:
            yield _from_row(r, schema)
        if len(rows) < size:
            return
        after = rows[-1].seq
        left = None if left is None else left - len(rows)


def learning_head(conn: Connection) -> int:
    """The ``seq`` of the newest event (0 when the log is empty)."""
    return int(conn.execute(select(func.max(learning_events.c.seq))).scalar_one() or 0)


def _reserve(conn: Connection, n: int) -> int:
    """Lock the clock row until commit and advance it by ``n``; the value before."""
    moved = conn.execute(
        update(learning_clock)
        .where(learning_clock.c.name == CLOCK)
        .values(seq=learning_clock.c.seq + n)
        .returning(learning_clock.c.seq)
    ).scalar_one_or_none()
    if moved is None:  # a cleared database: start the clock where the log ends
        conn.execute(insert(learning_clock).values(name=CLOCK, seq=learning_head(conn) + n))
        return learning_head(conn)
    return int(moved) - n


def _insert(conn: Connection, rows: list[dict[str, Any]]) -> bool:
    if not rows:
        return False
    first = _reserve(conn, len(rows)) + 1
    for i, row in enumerate(rows):
        row["seq"] = first + i
    try:
        with conn.begin_nested():
            conn.execute(insert(learning_events), rows)
    except IntegrityError:  # already logged (a digital send expired before its answer came)
        _reserve(conn, -len(rows))
        return False
    return True


_CONTEXT = (
    decisions.c.customer_id,
    decisions.c.made_at,
    decisions.c.reason,
    decisions.c.queue,
    decisions.c.agent_id,
    decisions.c.call_id,
    customers.c.attributes,
    customers.c.holdings,
    decision_candidates.c.propensity,
    decision_candidates.c.decision_id,
    decision_candidates.c.offer_id,
    decision_candidates.c.channel,
)
_CANDIDATE_SOURCE = (
    select(*_CONTEXT)
    .select_from(decision_candidates)
    .join(decisions, decisions.c.id == decision_candidates.c.decision_id)
    .join(customers, customers.c.id == decisions.c.customer_id)
)
_SOURCE = (
    select(*_CONTEXT[:-3], outcomes.c.id, outcomes.c.decision_id, outcomes.c.offer_id)
    .add_columns(outcomes.c.channel, outcomes.c.result, outcomes.c.recorded_at)
    .select_from(outcomes)
    .join(decisions, decisions.c.id == outcomes.c.decision_id)
    .join(customers, customers.c.id == decisions.c.customer_id)
    .join(
        decision_candidates,
        and_(
            decision_candidates.c.decision_id == outcomes.c.decision_id,
            decision_candidates.c.offer_id == outcomes.c.offer_id,
        ),
    )
)


def _event_row(
    r: Any, accepted: bool, outcome_id: int | None, recorded_at: dt.datetime
) -> dict[str, Any]:
    """A learning event from a joined row: the answer, and when it counts as given."""
    return {
        "decision_id": r.decision_id,
        "offer_id": r.offer_id,
        "channel": r.channel,
        "accepted": accepted,
        "outcome_id": outcome_id,
        "customer_id": r.customer_id,
        "attributes": r.attributes,
        "holdings": r.holdings,
        "made_at": r.made_at,
        "reason": r.reason,
        "queue": r.queue,
        "agent_id": r.agent_id,
        "call_id": r.call_id,
        "predicted": r.propensity,
        "recorded_at": recorded_at,
        "delay_seconds": max(0.0, (recorded_at - r.made_at).total_seconds()),
    }


def _from_row(r: Any, schema: ProfileSchema) -> LearningEvent:
    customer = Customer(
        r.customer_id, from_json_values(schema, r.attributes), frozenset(r.holdings)
    )
    context = CallContext(r.made_at, r.reason, r.agent_id, r.call_id, r.queue)
    return LearningEvent(
        r.seq,
        r.offer_id,
        Channel(r.channel),
        bool(r.accepted),
        customer,
        context,
        float(r.predicted),
        r.recorded_at,
        float(r.delay_seconds),
        r.outcome_id,
    )


def answers_since(conn: Connection, since: dt.datetime) -> list[tuple[Any, ...]]:
    """``(offer_id, channel, predicted, accepted, recorded_at, delay)`` of events since then."""
    e = learning_events.c
    query = (
        select(e.offer_id, e.channel, e.predicted, e.accepted, e.recorded_at, e.delay_seconds)
        .where(e.recorded_at >= since)
        .order_by(e.seq)
    )
    return [tuple(r) for r in conn.execute(query)]


def event_stamp(conn: Connection, seq: int) -> dt.datetime | None:
    """When the event ``seq`` was recorded (``None`` when there is none)."""
    value: dt.datetime | None = conn.execute(
        select(learning_events.c.recorded_at).where(learning_events.c.seq == seq)
    ).scalar_one_or_none()
    return value
