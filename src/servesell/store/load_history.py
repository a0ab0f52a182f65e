"""What the recent past says about the load: calls per hour and day, handle time, reasons.

The campaign plan forecasts from these (the hour of day is the center's local time, taken
as the zone's UTC offset at ``until``, exact for zones without daylight saving).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from servesell.domain.decision import Fate
from servesell.store.tables import calls, decision_candidates, decisions

if TYPE_CHECKING:
    from sqlalchemy import Connection


@dataclass(frozen=True, slots=True)
class LoadHistory:
    """Calls of a past window: how many, over how many days, the busiest hour, AHT, reasons."""

    calls: int
    days: int
    peak_calls_per_hour: float
    calls_per_day: float
    aht_seconds: float
    reasons: dict[str, int]


def load_history(
    conn: Connection, *, since: dt.datetime, until: dt.datetime, tz: dt.tzinfo
) -> LoadHistory | None:
    """The load of the calls in [since, until); ``None`` when there were none."""
    offset = until.astimezone(tz).utcoffset() or dt.timedelta()
    rows = conn.execute(
        select(calls.c.started_at, calls.c.handle_seconds, calls.c.reason).where(
            calls.c.started_at >= since, calls.c.started_at < until
        )
    )
    per_hour: dict[tuple[dt.date, int], int] = defaultdict(int)
    reasons: Counter[str] = Counter()
    total_seconds, count = 0.0, 0
    for started, seconds, reason in rows:
        local = started + offset
        per_hour[(local.date(), local.hour)] += 1
        reasons[reason] += 1
        total_seconds += seconds
        count += 1
    if count == 0:
        return None
    days = len({day for day, _ in per_hour})
    by_hour: dict[int, int] = defaultdict(int)
    for (_, hour), n in per_hour.items():
        by_hour[hour] += n
    return LoadHistory(
        calls=count,
        days=days,
        peak_calls_per_hour=max(by_hour.values()) / days,
        calls_per_day=count / days,
        aht_seconds=total_seconds / count,
        reasons=dict(reasons),
    )


def offer_make_rate(conn: Connection, *, since: dt.datetime, until: dt.datetime) -> float | None:
    """Share of eligible, allowed candidates that were made (shown or sent) in the window.

    Suppressed candidates are left out (contact policy); what remains is mostly the gate
    and arbitration. ``None`` without candidates.
    """
    rows = conn.execute(
        select(decision_candidates.c.fate, func.count())
        .join(decisions, decisions.c.id == decision_candidates.c.decision_id)
        .where(
            decisions.c.made_at >= since,
            decisions.c.made_at < until,
            decision_candidates.c.fate != Fate.SUPPRESSED.value,
        )
        .group_by(decision_candidates.c.fate)
    ).all()
    total = sum(int(n) for _, n in rows)
    made = sum(int(n) for fate, n in rows if fate in (Fate.SHOWN.value, Fate.DIGITAL.value))
    return made / total if total else None
