"""Eligibility tags: which customer is eligible for which offer, as of the last tagging run.

Only eligible pairs are stored (the matrix is sparse); a new run replaces the previous one
so the tags in the CRM stay fresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, select

from servesell.store.tables import tags

if TYPE_CHECKING:
    from sqlalchemy import Connection

_BATCH = 5000


def clear_tags(conn: Connection) -> None:
    """Forget every tag (before writing a new run)."""
    conn.execute(delete(tags))


def insert_tags(conn: Connection, pairs: Iterable[tuple[str, str]], *, as_of: dt.date) -> int:
    """Store ``(customer_id, offer_id)`` eligible pairs of a run as of ``as_of``."""
    now = dt.datetime.now(dt.UTC)
    written = 0
    batch: list[dict[str, object]] = []
    for customer_id, offer_id in pairs:
        batch.append(
            {"customer_id": customer_id, "offer_id": offer_id, "as_of": as_of, "tagged_at": now}
        )
        if len(batch) >= _BATCH:
            written += _flush(conn, batch)
    return written + _flush(conn, batch)


def _flush(conn: Connection, batch: list[dict[str, object]]) -> int:
    if batch:
        conn.execute(insert(tags), batch)
    count = len(batch)
    batch.clear()
    return count


def tag_counts(conn: Connection) -> dict[str, int]:
    """How many customers are tagged eligible, per offer id."""
    rows = conn.execute(
        select(tags.c.offer_id, func.count()).group_by(tags.c.offer_id).order_by(tags.c.offer_id)
    ).all()
    return {offer_id: int(count) for offer_id, count in rows}


def tagged_customers(conn: Connection, offer_id: str) -> list[str]:
    """Ids of the customers tagged eligible for ``offer_id``, sorted."""
    query = select(tags.c.customer_id).where(tags.c.offer_id == offer_id)
    return list(conn.execute(query.order_by(tags.c.customer_id)).scalars())
