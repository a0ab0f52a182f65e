"""Local time: when a step is due, whether a moment is inside a window, GMT offsets.

All inputs and outputs are aware datetimes; the wall clock is the customer's IANA zone.
A step's day is counted from the event's *local* date: a purchase at 23:30 in New York
is day 0 on that New York date even though it is already the next day in UTC. Windows
are wall-clock times, so a daylight-saving change moves them in UTC, not on the clock.

>>> from zoneinfo import ZoneInfo
>>> from servesell.journeys.spec import Window
>>> ny = ZoneInfo("America/New_York")
>>> bought = dt.datetime(2026, 3, 7, 4, 30, tzinfo=dt.UTC)  # 23:30 on 6 March in New York
>>> opens(bought, ny, 3, Window.parse("10:00-12:00")).isoformat()
'2026-03-09T14:00:00+00:00'
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from servesell.journeys.spec import Window

DAY = dt.timedelta(days=1)


def local_date(at: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The date on the wall clock of ``zone`` at ``at``."""
    return at.astimezone(zone).date()


def window_on(day: dt.date, zone: dt.tzinfo, window: Window) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` in UTC of ``window`` opening on local ``day``.

    A window across midnight ends on the next local day.
    """
    return _window_on(day, zone, window.start, window.end)


@lru_cache(maxsize=65536)
def _window_on(
    day: dt.date, zone: dt.tzinfo, opens: dt.time, closes: dt.time
) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, opens, tzinfo=zone)
    end_day = day + DAY if closes <= opens else day
    end = dt.datetime.combine(end_day, closes, tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def opens(event_at: dt.datetime, zone: dt.tzinfo, day: int, window: Window) -> dt.datetime:
    """When ``window`` first opens ``day`` local days after the event (UTC)."""
    return window_on(local_date(event_at, zone) + dt.timedelta(days=day), zone, window)[0]


def step_opens(
    event_at: dt.datetime, zone: dt.tzinfo, day: int, windows: Sequence[Window]
) -> dt.datetime:
    """The earliest opening of any of ``windows`` on the step's local day (UTC)."""
    return min(opens(event_at, zone, day, w) for w in windows)


def step_closes(
    event_at: dt.datetime, zone: dt.tzinfo, day: int, windows: Sequence[Window], days: int
) -> dt.datetime:
    """When a step stops being valid: the end of its last window on its last valid local day.

    A step valid for 2 days can be done in its windows on its own day and the next one.
    """
    last = local_date(event_at, zone) + dt.timedelta(days=day + max(days, 1) - 1)
    return max(window_on(last, zone, w)[1] for w in windows)


@lru_cache(maxsize=65536)
def step_span(
    day0: dt.date, zone: dt.tzinfo, day: int, windows: tuple[Window, ...], days: int
) -> tuple[dt.datetime, dt.datetime]:
    """``(opens, closes)`` of a step whose event fell on local date ``day0`` (UTC).

    Cached: the planner asks for few distinct dates, zones and steps (``bench/journeys.py``).
    """
    first = day0 + dt.timedelta(days=day)
    last = first + dt.timedelta(days=max(days, 1) - 1)
    opens = min(window_on(first, zone, w)[0] for w in windows)
    closes = max(window_on(last, zone, w)[1] for w in windows)
    return opens, closes


def inside(at: dt.datetime, zone: dt.tzinfo, windows: Sequence[Window]) -> bool:
    """Whether ``at`` falls in one of ``windows`` on the customer's clock.

    A window across midnight that opened yesterday still counts after midnight.
    """
    today = local_date(at, zone)
    for window in windows:
        for day in (today, today - DAY):
            start, end = window_on(day, zone, window)
            if start <= at < end:
                return True
    return False


def next_opening(at: dt.datetime, zone: dt.tzinfo, windows: Sequence[Window]) -> dt.datetime:
    """``at`` when inside a window, else when the next one opens (UTC)."""
    if inside(at, zone, windows):
        return at
    today = local_date(at, zone)
    starts = [window_on(today + DAY * k, zone, w)[0] for k in (0, 1, 2) for w in windows]
    return min(s for s in starts if s > at)


def gmt_offset(zone: dt.tzinfo, day: dt.date) -> float:
    """Hours east of UTC of ``zone`` at local noon on ``day`` (VICIdial's ``gmt_offset_now``).

    >>> from zoneinfo import ZoneInfo
    >>> ny = ZoneInfo("America/New_York")
    >>> gmt_offset(ny, dt.date(2026, 1, 5)), gmt_offset(ny, dt.date(2026, 7, 5))
    (-5.0, -4.0)
    """
    offset = dt.datetime.combine(day, dt.time(12), tzinfo=zone).utcoffset()
    return 0.0 if offset is None else offset.total_seconds() / 3600
