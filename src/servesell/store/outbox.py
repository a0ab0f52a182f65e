"""The transactional outbox: follow-up messages written with their decision, claimed by workers.

:func:`enqueue` runs inside the caller's transaction (the one that logs the decision or
the outcome), so a message exists exactly when its cause does. ``(decision, offer,
channel)`` is unique and the insert is ``ON CONFLICT DO NOTHING`` on SQLite and
PostgreSQL, so a retried request never makes a second message.

Workers :func:`claim` due messages under a lease: on PostgreSQL with ``FOR UPDATE SKIP
LOCKED`` (several workers take disjoint rows), on SQLite inside the caller's ``BEGIN
IMMEDIATE`` transaction (``store.db.write_transaction``), which serialises claimers.
A worker that dies leaves ``sending`` rows whose lease runs out; :func:`recover_expired`
turns them into ``unknown`` (they may have reached the provider) for reconciliation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from servesell.channels.status import Status
from servesell.domain.offer import Channel
from servesell.errors import StoreError
from servesell.store.tables import UtcDateTime, link_tokens, outbox_events, outbox_messages

if TYPE_CHECKING:
    from sqlalchemy import Connection, Row

M = outbox_messages


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A rendered follow-up to queue; ``status`` is ``queued`` unless it failed at render time."""

    id: str
    decision_id: str
    offer_id: str
    channel: Channel
    customer_id: str
    address: str
    language: str
    body: str
    valid_until: dt.datetime
    subject: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    template: str = ""
    link: str = ""
    status: Status = Status.QUEUED
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Claimed:
    """A message a worker holds under a lease, with what sending it needs."""

    id: str
    channel: Channel
    customer_id: str
    address: str
    language: str
    subject: str
    body: str
    params: Mapping[str, str]
    template: str
    link: str
    status: Status
    attempts: int
    valid_until: dt.datetime
    sent_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Transition:
    """A worker's verdict on a claimed message, written by :func:`finish`."""

    message_id: str
    status: Status
    detail: str = ""
    attempts: int | None = None
    next_attempt_at: dt.datetime | None = None
    provider_id: str | None = None
    sent_at: dt.datetime | None = None


def enqueue(
    conn: Connection,
    message: NewMessage,
    *,
    now: dt.datetime,
    token_hash: str | None = None,
    token_expires: dt.datetime | None = None,
) -> bool:
    """Queue ``message`` (and its link token) unless its key exists; ``True`` when new.

    The token expires at ``token_expires`` (default: when the message stops being valid).
    """
    stmt = _insert_ignoring(conn.dialect.name)
    if conn.execute(stmt, _row(message, now)).first() is None:  # rowcount is -1 on psycopg
        return False
    if token_hash is not None:
        conn.execute(
            insert(link_tokens),
            {
                "token_hash": token_hash,
                "message_id": message.id,
                "expires_at": token_expires or message.valid_until,
            },
        )
    detail = message.error or "queued"
    add_events(conn, [(message.id, message.status, "enqueue", detail)], now)
    return True


def claim(
    conn: Connection, *, owner: str, now: dt.datetime, limit: int, lease: dt.timedelta
) -> list[Claimed]:
    """Take up to ``limit`` due ``queued`` messages for ``owner``, now ``sending`` under a lease.

    Call inside :func:`~servesell.store.db.write_transaction`; the claim holds when it
    commits.
    """
    due = (
        select(M.c.id)
        .where(M.c.status == Status.QUEUED.value, M.c.next_attempt_at <= now)
        .order_by(M.c.next_attempt_at)
        .limit(limit)
    )
    changes = {"status": Status.SENDING.value}
    return _take(conn, due, owner=owner, expires=now + lease, changes=changes, now=now)


def claim_unknown(
    conn: Connection, *, owner: str, now: dt.datetime, limit: int, lease: dt.timedelta
) -> list[Claimed]:
    """Take up to ``limit`` ``unknown`` messages due for reconciliation (status unchanged)."""
    due = (
        select(M.c.id)
        .where(
            M.c.status == Status.UNKNOWN.value,
            M.c.next_attempt_at <= now,
            or_(M.c.lease_expires.is_(None), M.c.lease_expires < now),
        )
        .order_by(M.c.next_attempt_at)
        .limit(limit)
    )
    return _take(conn, due, owner=owner, expires=now + lease, changes={}, now=now)


def finish(
    conn: Connection,
    owner: str,
    held: Status,
    transitions: Sequence[Transition],
    *,
    now: dt.datetime,
) -> int:
    """Write each transition of a message ``owner`` still holds in status ``held``.

    A message that moved on meanwhile (a receipt said ``delivered``, or the lease ran out
    and another worker marked it ``unknown``) is left as it is. Returns how many were
    written. The rows still held are read first (locked on PostgreSQL; SQLite callers
    hold the write lock of ``write_transaction``), then written in one batch.
    """
    ids = [t.message_id for t in transitions]
    still = select(M.c.id).where(
        M.c.id.in_(ids), M.c.status == held.value, M.c.lease_owner == owner
    )
    if conn.dialect.name == "postgresql":
        still = still.with_for_update()
    mine = set(conn.execute(still).scalars())
    rows = [_finish_row(t, now) for t in transitions if t.message_id in mine]
    if rows:
        conn.execute(_FINISH, rows)
    add_events(
        conn,
        [(t.message_id, t.status, "worker", t.detail) for t in transitions if t.message_id in mine],
        now,
    )
    return len(rows)


_FINISH = (
    update(M)
    .where(M.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        last_error=bindparam("b_error"),
        next_attempt_at=bindparam("b_next", type_=UtcDateTime),
        lease_owner=None,
        lease_expires=None,
        updated_at=bindparam("b_now", type_=UtcDateTime),
        attempts=func.coalesce(bindparam("b_attempts", type_=Integer), M.c.attempts),
        provider_id=func.coalesce(bindparam("b_provider", type_=String), M.c.provider_id),
        sent_at=func.coalesce(bindparam("b_sent", type_=UtcDateTime), M.c.sent_at),
    )
)


def _finish_row(t: Transition, now: dt.datetime) -> dict[str, Any]:
    return {
        "b_id": t.message_id,
        "b_status": t.status.value,
        "b_error": t.detail[:500] or None,
        "b_next": t.next_attempt_at,
        "b_now": now,
        "b_attempts": t.attempts,
        "b_provider": t.provider_id,
        "b_sent": t.sent_at,
    }


def recover_expired(conn: Connection, *, now: dt.datetime, check_after: dt.datetime) -> int:
    """Mark ``sending`` messages whose worker's lease ran out as ``unknown``; how many.

    Their worker may have handed them to the provider before it died, so they are not
    resent: they are reconciled (receipt or provider query) from ``check_after`` on.
    """
    stale = (
        conn.execute(
            select(M.c.id).where(M.c.status == Status.SENDING.value, M.c.lease_expires < now)
        )
        .scalars()
        .all()
    )
    if not stale:
        return 0
    conn.execute(
        update(M)
        .where(M.c.id.in_(stale), M.c.status == Status.SENDING.value, M.c.lease_expires < now)
        .values(
            status=Status.UNKNOWN.value,
            last_error="worker lease expired mid-send",
            lease_owner=None,
            lease_expires=None,
            next_attempt_at=check_after,
            updated_at=now,
        )
    )
    add_events(
        conn, [(i, Status.UNKNOWN, "lease", "worker lease expired mid-send") for i in stale], now
    )
    return len(stale)


def _take(
    conn: Connection,
    due: Any,
    *,
    owner: str,
    expires: dt.datetime,
    changes: dict[str, Any],
    now: dt.datetime,
) -> list[Claimed]:
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    stmt = (
        update(M)
        .where(M.c.id.in_(due.scalar_subquery()))
        .values(lease_owner=owner, lease_expires=expires, updated_at=now, **changes)
        .returning(*M.c)
    )
    return [_claimed(row) for row in conn.execute(stmt)]


def _claimed(row: Row[Any]) -> Claimed:
    return Claimed(
        id=row.id,
        channel=Channel(row.channel),
        customer_id=row.customer_id,
        address=row.address,
        language=row.language,
        subject=row.subject,
        body=row.body,
        params=row.params,
        template=row.template,
        link=row.link,
        status=Status(row.status),
        attempts=row.attempts,
        valid_until=row.valid_until,
        sent_at=row.sent_at,
    )


def _row(message: NewMessage, now: dt.datetime) -> dict[str, Any]:
    queued = message.status is Status.QUEUED
    return {
        "id": message.id,
        "decision_id": message.decision_id,
        "offer_id": message.offer_id,
        "channel": message.channel.value,
        "customer_id": message.customer_id,
        "address": message.address,
        "language": message.language,
        "subject": message.subject,
        "body": message.body,
        "params": dict(message.params),
        "template": message.template,
        "link": message.link,
        "status": message.status.value,
        "attempts": 0,
        "next_attempt_at": now if queued else None,
        "last_error": message.error,
        "created_at": now,
        "updated_at": now,
        "valid_until": message.valid_until,
    }


@cache
def _insert_ignoring(dialect: str) -> Any:
    """``INSERT ... ON CONFLICT (decision, offer, channel) DO NOTHING RETURNING id``, built once."""
    keys = ["decision_id", "offer_id", "channel"]
    stmt: Any
    if dialect == "sqlite":
        stmt = sqlite.insert(M).on_conflict_do_nothing(index_elements=keys)
    elif dialect == "postgresql":
        stmt = postgresql.insert(M).on_conflict_do_nothing(index_elements=keys)
    else:
        raise StoreError(f"database {dialect!r} is not supported (use SQLite or PostgreSQL)")
    return stmt.returning(M.c.id)


def add_events(
    conn: Connection, rows: Sequence[tuple[str, Status, str, str | None]], now: dt.datetime
) -> None:
    """Append status-history rows ``(message_id, status, source, detail)``."""
    if rows:
        conn.execute(
            insert(outbox_events),
            [
                {"message_id": m, "at": now, "status": s.value, "source": src, "detail": d}
                for m, s, src, d in rows
            ],
        )
