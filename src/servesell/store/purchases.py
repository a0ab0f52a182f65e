"""Purchases the core systems report, through any channel (organic ones too)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import insert

from servesell.store.tables import purchases

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy import Connection

_BATCH = 5000


def insert_purchases(
    conn: Connection, rows: Iterable[tuple[str, str, dt.datetime, float]], *, source: str
) -> int:
    """Append ``(customer_id, product, at, amount)`` purchases; returns how many."""
    batch: list[dict[str, object]] = []
    written = 0
    for customer_id, product, at, amount in rows:
        batch.append(
            {
                "customer_id": customer_id,
                "product": product,
                "at": at,
                "amount": amount,
                "source": source,
            }
        )
        if len(batch) >= _BATCH:
            conn.execute(insert(purchases), batch)
            written += len(batch)
            batch = []
    if batch:
        conn.execute(insert(purchases), batch)
        written += len(batch)
    return written
