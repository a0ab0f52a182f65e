"""Post-call surveys: satisfaction 1-5 and whether the request was resolved, per call.

A call has at most one survey; a second answer for the same call replaces the first
(surveys are re-exported by survey tools when a customer edits their answer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from servesell.store.tables import surveys
from servesell.store.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection


@dataclass(frozen=True, slots=True)
class Survey:
    """One call's survey answer (either figure may be missing)."""

    call_id: str
    csat: int | None
    resolved: bool | None
    answered_at: dt.datetime

    def __post_init__(self) -> None:
        if self.csat is not None and not 1 <= self.csat <= 5:
            raise ValueError(f"csat must be 1-5, got {self.csat!r}")
        if self.csat is None and self.resolved is None:
            raise ValueError("a survey needs a csat, a resolved answer, or both")


def save_surveys(conn: Connection, batch: Iterable[Survey], *, source: str) -> int:
    """Store surveys (replacing an earlier answer for the same call); returns how many."""
    rows = [
        {
            "call_id": s.call_id,
            "csat": s.csat,
            "resolved": s.resolved,
            "answered_at": s.answered_at,
            "source": source,
        }
        for s in batch
    ]
    upsert(conn, surveys, rows)
    return len(rows)


def survey_of(conn: Connection, call_id: str) -> Survey | None:
    """The survey of ``call_id``, or ``None``."""
    row = conn.execute(select(surveys).where(surveys.c.call_id == call_id)).first()
    if row is None:
        return None
    return Survey(row.call_id, row.csat, row.resolved, row.answered_at)
