"""The transactional outbox: follow-up messages written with their decision, claimed by workers.

:func:`enqueue` runs inside the caller's transaction (the one that logs the decision or
the outcome), so a message exists exactly when its cause does. ``(decision, offer,
channel)`` is unique and the insert is ``ON CONFLICT DO NOTHING`` on SQLite and
PostgreSQL, so a retried request never makes a second message.

Workers :func:`claim` due messages under a lease: on PostgreSQL with ``FOR UPDATE SKIP
LOCKED`` (several workers take disjoint rows), on SQLite inside the caller's ``BEGIN
IMMEDIATE`` transaction (``store.db.write_transaction``), which serialises claimers.
A worker that dies leaves ``sending`` rows whose lease runs out; ``store.settle`` turns
them into ``unknown`` (they may have reached the provider) for reconciliation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from servesell.channels.status import Status
from servesell.domain.offer import Channel
from servesell.errors import StoreError
from servesell.store.tables import link_tokens, outbox_events, outbox_messages

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
        .returning(*_CLAIMED)
    )
    return [_claimed(row) for row in conn.execute(stmt)]


_CLAIMED = [M.c[name] for name in Claimed.__dataclass_fields__]
"""What a claim returns: the columns :class:`Claimed` is made of (not every timestamp)."""


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
