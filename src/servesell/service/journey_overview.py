"""What a supervisor sees of the journeys: each step's tasks by status, and why any were skipped."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from servesell.store.journeys import list_journeys, task_counts

if TYPE_CHECKING:
    from sqlalchemy import Connection

STATUSES = ("open", "queued", "done", "closed", "stale", "skipped")


@dataclass(slots=True)
class StepRow:
    """One journey step over the period: tasks per status and the reasons behind them."""

    journey_id: str
    step: str
    purpose: str
    by_status: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        """All tasks of the step in the period."""
        return sum(self.by_status.values())

    @property
    def done_share(self) -> float | None:
        """Done among the tasks that are finished one way or another (``None``: none yet)."""
        finished = sum(self.by_status[s] for s in ("done", "closed", "stale", "skipped"))
        return self.by_status["done"] / finished if finished else None


def overview(conn: Connection, *, since: dt.datetime) -> list[StepRow]:
    """Every step of every journey (callbacks too) with its tasks due since ``since``."""
    rows: dict[tuple[str, str], StepRow] = {}
    for journey in list_journeys(conn, active_only=False):
        for spec in journey.steps:
            rows[(journey.id, spec.name)] = StepRow(journey.id, spec.name, spec.purpose)
    for journey_id, name, status, reason, n in task_counts(conn, since):
        row = rows.setdefault((journey_id, name), StepRow(journey_id, name, ""))
        row.by_status[status] += n
        if reason and status != "done":
            row.reasons[reason] += n
    return list(rows.values())
