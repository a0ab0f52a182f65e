"""Settling claimed messages: a worker's verdicts written back, dead workers' leases recovered.

:func:`finish` writes only what the worker still holds (a receipt or another worker may
have moved a message on meanwhile); :func:`recover_expired` turns ``sending`` messages of a
worker whose lease ran out into ``unknown``: it may have handed them to the provider
before it died, so they are reconciled, never blindly resent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, bindparam, func, select, update

from servesell.channels.status import Status
from servesell.store.outbox import add_events
from servesell.store.tables import UtcDateTime, outbox_messages

if TYPE_CHECKING:
    from sqlalchemy import Connection

M = outbox_messages


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
