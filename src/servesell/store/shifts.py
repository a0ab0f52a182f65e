"""Agent time per local day from the workforce system: paid, and logged in for contacts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from servesell.store.tables import agent_shifts
from servesell.store.upsert import upsert

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy import Connection


def save_shifts(conn: Connection, shifts: Iterable[tuple[str, dt.date, float, float]]) -> int:
    """Store ``(agent_id, day, paid_seconds, logged_in_seconds)``, replacing the same day."""
    rows = [
        {"agent_id": a, "day": d, "paid_seconds": paid, "logged_in_seconds": logged_in}
        for a, d, paid, logged_in in shifts
    ]
    upsert(conn, agent_shifts, rows)
    return len(rows)
