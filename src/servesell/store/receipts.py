"""What providers report about messages, applied in any order and any number of times.

A report moves a message forward only (``channels.status.after_receipt``): the same
receipt twice changes nothing the second time, and a late ``sent`` after ``delivered``
is ignored. Each applied report is one conditional update, retried when another report
or a worker changed the message in between, so concurrent receipts cannot lose one.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from servesell.channels.status import Status, after_receipt
from servesell.store.outbox import add_events
from servesell.store.tables import outbox_messages

if TYPE_CHECKING:
    from sqlalchemy import Connection

M = outbox_messages
_RETRIES = 5


class Applied(StrEnum):
    """What became of one report."""

    CHANGED = "changed"
    IGNORED = "ignored"
    """Already there or beyond (a repeat, or a late report)."""
    UNKNOWN_MESSAGE = "unknown_message"


def apply_report(
    conn: Connection,
    message_id: str,
    reported: Status,
    *,
    source: str,
    now: dt.datetime,
    detail: str = "",
    provider_id: str | None = None,
) -> Applied:
    """Apply a provider's report that message ``message_id`` is ``reported``."""
    for _ in range(_RETRIES):
        current = conn.execute(select(M.c.status).where(M.c.id == message_id)).scalar()
        if current is None:
            return Applied.UNKNOWN_MESSAGE
        new = after_receipt(Status(current), reported)
        if new is None:
            return Applied.IGNORED
        values: dict[str, object] = {
            "status": new.value,
            "next_attempt_at": None,
            "lease_owner": None,
            "lease_expires": None,
            "updated_at": now,
            # when it went out, for a message a report shows was sent (if not known yet)
            "sent_at": func.coalesce(M.c.sent_at, now),
        }
        if provider_id:
            values["provider_id"] = provider_id
        if new is not Status.SENT and detail:
            values["last_error"] = detail[:500]
        stmt = update(M).where(M.c.id == message_id, M.c.status == current).values(**values)
        if conn.execute(stmt).rowcount == 1:
            add_events(conn, [(message_id, new, source, detail or None)], now)
            return Applied.CHANGED
    return Applied.IGNORED  # pragma: no cover - five concurrent changes in a row
