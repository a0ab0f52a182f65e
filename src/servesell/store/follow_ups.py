"""Reading the outbox: a decision's follow-ups with their real status, counts, send-time facts.

:func:`follow_ups_of` is what the agent desktop, the KPIs and ``servesell why`` show: for
each message of a decision, what really happened (queued, sent, delivered, opened,
accepted, failed, opted out, expired), not what was planned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select

from servesell.channels.status import Status
from servesell.channels.timing import Hold
from servesell.domain.offer import Channel
from servesell.store.optouts import opt_outs_of
from servesell.store.tables import customers, link_events, link_tokens, outbox_messages

if TYPE_CHECKING:
    from sqlalchemy import Connection, Select

    from servesell.store.outbox import Claimed

M = outbox_messages
_FAILED = frozenset({Status.FAILED, Status.DEAD, Status.UNDELIVERED})


@dataclass(frozen=True, slots=True)
class FollowUp:
    """One follow-up message of a decision and what really became of it.

    ``shown`` is the one word to display (``queued``, ``sent``, ``delivered``, ``opened``,
    ``accepted``, ``declined``, ``failed``, ``opted_out``, ``expired``, ``suppressed``,
    ``unknown``); ``status`` the delivery status behind it and ``reason`` the last error.
    """

    message_id: str
    offer_id: str
    channel: Channel
    shown: str
    status: Status
    reason: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    opened_at: dt.datetime | None
    answered_at: dt.datetime | None
    answer: str | None


@dataclass(frozen=True, slots=True)
class SendFacts:
    """What the send-time check reads about one customer on one channel."""

    opted_out: bool
    do_not_market: bool
    blacklisted: bool
    zone: str | None
    sent_in_window: int
    oldest_in_window: dt.datetime | None


def follow_ups_of(conn: Connection, decision_id: str) -> list[FollowUp]:
    """Every follow-up message of ``decision_id`` with its real status, oldest first."""
    rows = conn.execute(_OF_DECISION, {"decision_id": decision_id}).all()
    return [_follow_up(r) for r in rows]


def _of_decision() -> Select[Any]:
    """The statement of :func:`follow_ups_of`, built once.

    A screen pop with a digital offer reads it inside its write transaction, where building
    the statement cost more than running it.
    """
    opened = (
        select(link_events.c.message_id, func.min(link_events.c.at).label("opened_at"))
        .where(link_events.c.kind == "opened")
        .group_by(link_events.c.message_id)
        .subquery()
    )
    return (
        select(M, opened.c.opened_at, link_tokens.c.answered_at, link_tokens.c.answer)
        .outerjoin(opened, opened.c.message_id == M.c.id)
        .outerjoin(link_tokens, link_tokens.c.message_id == M.c.id)
        .where(M.c.decision_id == bindparam("decision_id"))
        .order_by(M.c.created_at, M.c.id)
    )


_OF_DECISION = _of_decision()


def outbox_counts(conn: Connection) -> dict[Status, int]:
    """How many messages are in each status."""
    rows = conn.execute(select(M.c.status, func.count()).group_by(M.c.status))
    return {Status(status): int(n) for status, n in rows}


@dataclass(frozen=True, slots=True)
class Reached:
    """A follow-up the provider took and did not report undelivered: its link can be used."""

    message_id: str
    decision_id: str
    offer_id: str
    channel: Channel
    customer_id: str
    link: str
    sent_at: dt.datetime


def reached_between(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[Reached]:
    """Messages queued in ``[start, end)`` now ``sent`` or ``delivered``, in queue order."""
    rows = conn.execute(
        select(M.c.id, M.c.decision_id, M.c.offer_id, M.c.channel, M.c.customer_id, M.c.link,
               M.c.sent_at)
        .where(M.c.created_at >= start, M.c.created_at < end, M.c.sent_at.is_not(None),
               M.c.status.in_([Status.SENT.value, Status.DELIVERED.value]))
        .order_by(M.c.created_at, M.c.decision_id, M.c.offer_id)
    ).all()  # fmt: skip
    return [
        Reached(r.id, r.decision_id, r.offer_id, Channel(r.channel), r.customer_id, r.link,
                _aware(r.sent_at) or start)
        for r in rows
    ]  # fmt: skip


def send_facts(
    conn: Connection, held: Sequence[Claimed], *, zone_field: str, since: dt.datetime
) -> dict[tuple[str, Channel], SendFacts]:
    """Send-time facts for each (customer, channel) among ``held`` messages."""
    ids = sorted({m.customer_id for m in held})
    people = {
        r.id: r
        for r in conn.execute(
            select(
                customers.c.id,
                customers.c.do_not_market,
                customers.c.blacklisted,
                customers.c.attributes,
            ).where(customers.c.id.in_(ids))
        )
    }
    outs = opt_outs_of(conn, ids)
    sent = _sent_since(conn, ids, since)
    facts = {}
    for m in held:
        person = people.get(m.customer_id)
        count, oldest = sent.get((m.customer_id, m.channel), (0, None))
        facts[(m.customer_id, m.channel)] = SendFacts(
            opted_out=m.channel in outs.get(m.customer_id, frozenset()),
            do_not_market=bool(person and person.do_not_market),
            blacklisted=bool(person and person.blacklisted),
            zone=_zone(person.attributes, zone_field) if person else None,
            sent_in_window=count,
            oldest_in_window=oldest,
        )
    return facts


def _sent_since(
    conn: Connection, ids: Sequence[str], since: dt.datetime
) -> dict[tuple[str, Channel], tuple[int, dt.datetime | None]]:
    rows = conn.execute(
        select(M.c.customer_id, M.c.channel, func.count(), func.min(M.c.sent_at))
        .where(M.c.customer_id.in_(ids), M.c.sent_at >= since)
        .group_by(M.c.customer_id, M.c.channel)
    )
    return {(c, Channel(ch)): (int(n), _aware(oldest)) for c, ch, n, oldest in rows}


def _aware(value: Any) -> dt.datetime | None:
    """``min()`` over a UtcDateTime column comes back naive on SQLite: attach UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    stamp: dt.datetime = value
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _zone(attributes: Any, field: str) -> str | None:
    value = attributes.get(field) if isinstance(attributes, dict) else None
    return str(value) if value not in (None, "") else None


def _follow_up(row: Any) -> FollowUp:
    status = Status(row.status)
    return FollowUp(
        message_id=row.id,
        offer_id=row.offer_id,
        channel=Channel(row.channel),
        shown=_shown(status, row.last_error, row.opened_at, row.answer),
        status=status,
        reason=row.last_error,
        created_at=row.created_at,
        sent_at=row.sent_at,
        opened_at=_aware(row.opened_at),
        answered_at=row.answered_at,
        answer=row.answer,
    )


def _shown(status: Status, reason: str | None, opened: Any, answer: str | None) -> str:
    if answer in ("accepted", "declined"):
        return answer
    if answer == "opted_out" or (status is Status.SUPPRESSED and reason == Hold.OPTED_OUT):
        return "opted_out"
    if opened is not None:
        return "opened"
    if status in _FAILED:
        return "failed"
    if status is Status.SENDING:
        return "queued"
    return status.value
