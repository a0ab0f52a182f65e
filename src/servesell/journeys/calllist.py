"""The day's outbound list: who to call, in what order, how many, and the dialer's file.

Order is expected value × probability of answering at the hour the call would be made
(on the customer's clock). The answer rate per local hour is learned from past
dispositions with a Beta prior worth :data:`PRIOR_WEIGHT` attempts around
:data:`PRIOR_BY_HOUR` (a documented guess: people answer least at meal times and late
evening, most mid-morning and early evening). The list is cut to the team's capacity:
agent-hours × effective calls an hour (seeds/003: about 10 minutes per effective call
with wrap-up, so 6 an hour, ~50 in an 8.5-hour day).

VICIdial's list loader reads 23 fields in a fixed order (tab or pipe delimited), then
optional ``rank`` and ``owner``; :data:`VICIDIAL_FIELDS` is that order. The task id is
the vendor lead code (shown as Vendor ID on the agent screen) and the customer's GMT
offset on the call date goes in the comments (VICIdial itself recomputes
``gmt_offset_now`` from phone and postal codes, which is wrong for China's single zone
and for customers living away from their number's area).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

PRIOR_WEIGHT = 20.0
"""Pseudo-attempts of the prior answer rate at each hour."""
PRIOR_BY_HOUR: dict[int, float] = {
    **dict.fromkeys(range(9), 0.10),
    9: 0.30,
    10: 0.40,
    11: 0.35,
    12: 0.20,
    13: 0.22,
    14: 0.30,
    15: 0.32,
    16: 0.32,
    17: 0.28,
    18: 0.25,
    19: 0.38,
    20: 0.35,
    21: 0.20,
    22: 0.10,
    23: 0.08,
}
"""Prior probability that an outbound call is answered, by local hour."""
MINUTES_PER_EFFECTIVE_CALL = 10.0
"""seeds/003: 5-8 minutes of talk plus wrap-up."""

VICIDIAL_FIELDS = (
    "vendor_lead_code",
    "source_id",
    "list_id",
    "phone_code",
    "phone_number",
    "title",
    "first_name",
    "middle_initial",
    "last_name",
    "address1",
    "address2",
    "address3",
    "city",
    "state",
    "province",
    "postal_code",
    "country_code",
    "gender",
    "date_of_birth",
    "alt_phone",
    "email",
    "security_phrase",
    "comments",
    "rank",
    "owner",
)
"""VICIdial's lead-file field order (admin manual, list loader); ``rank``, ``owner`` last."""


@dataclass(frozen=True, slots=True)
class AnswerRates:
    """Probability of answering by local hour, learned from dispositions over the prior."""

    by_hour: tuple[float, ...]

    @classmethod
    def learn(cls, attempts: Iterable[tuple[int, bool]]) -> AnswerRates:
        """From ``(local hour, answered)`` pairs of past attempts."""
        tries = [0] * 24
        answered = [0] * 24
        for hour, ok in attempts:
            tries[hour] += 1
            answered[hour] += int(ok)
        rates = tuple(
            (PRIOR_BY_HOUR[h] * PRIOR_WEIGHT + answered[h]) / (PRIOR_WEIGHT + tries[h])
            for h in range(24)
        )
        return cls(rates)

    def at(self, hour: int) -> float:
        """The answer probability at local ``hour``."""
        return self.by_hour[hour]


def capacity(agents: int, hours: float, calls_per_hour: float | None = None) -> int:
    """Effective calls a team can make: agent-hours × calls an hour (10 min each by default).

    >>> capacity(10, 8.5)
    510
    """
    per_hour = 60 / MINUTES_PER_EFFECTIVE_CALL if calls_per_hour is None else calls_per_hour
    return int(agents * hours * per_hour + 1e-9)


@dataclass(frozen=True, slots=True)
class Entry:
    """One call on the list: the task, when to call, and why it ranks where it does."""

    task_id: int
    customer_id: str
    call_at: dt.datetime
    value: float
    p_answer: float
    deadline: dt.datetime | None = None
    """When the task stops being valid: among equal scores, the most urgent goes first."""
    opens: dt.datetime | None = None
    """The earliest the call may be made today (``call_at`` is the best hour, maybe later)."""

    @property
    def score(self) -> float:
        """Expected value × probability of answering: the list's order."""
        return self.value * self.p_answer


def rank(entries: Sequence[Entry], size: int | None = None) -> list[Entry]:
    """Entries best first (ties: nearer deadline, earlier call, lower task id), at most ``size``."""
    ordered = sorted(entries, key=_order)
    return ordered if size is None else ordered[: max(size, 0)]


def _order(e: Entry) -> tuple[float, dt.datetime, dt.datetime, int]:
    return (-e.score, e.deadline or _NEVER, e.call_at, e.task_id)


_NEVER = dt.datetime.max.replace(tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def fill_hours(
    ranked: Sequence[Entry],
    *,
    size: int,
    per_hour: int,
    until: dt.datetime,
    fits: Callable[[Entry, dt.datetime], bool],
) -> list[Entry]:
    """Give each entry, best first, its best hour if it has room, else the next hour with room.

    At most ``per_hour`` calls start in one hour (the team's agents × calls an hour) and
    ``size`` in all. After its best hour an entry tries the later hours, then the earlier
    ones from when it opens; one that ``fits`` nowhere before ``until`` or its deadline is
    left off.
    """
    used: dict[dt.datetime, int] = {}
    out: list[Entry] = []
    for entry in ranked:
        if len(out) >= size:
            break
        for at in _hours(entry, min(until, entry.deadline or until)):
            hour = at.replace(minute=0, second=0, microsecond=0)
            if used.get(hour, 0) < per_hour and fits(entry, at):
                used[hour] = used.get(hour, 0) + 1
                out.append(replace(entry, call_at=at))
                break
    return out


def _hours(entry: Entry, stop: dt.datetime) -> list[dt.datetime]:
    """The best time, the later hours, then the earlier ones from when the entry opens."""
    later = [entry.call_at]
    at = entry.call_at.replace(minute=0, second=0, microsecond=0) + HOUR
    while at < stop:
        later.append(at)
        at += HOUR
    opens = entry.opens or entry.call_at
    earlier = []
    at = opens
    while at < entry.call_at:
        earlier.append(at)
        at = at.replace(minute=0, second=0, microsecond=0) + HOUR
    return later + earlier


def vicidial_row(values: dict[str, str]) -> list[str]:
    """``values`` in VICIdial's field order (missing ones empty, tabs and newlines removed)."""
    return [
        values.get(name, "").replace("\t", " ").replace("\n", " ").replace("|", " ")
        for name in VICIDIAL_FIELDS
    ]


def offset_text(hours: float) -> str:
    """A GMT offset as VICIdial writes it.

    >>> offset_text(8.0), offset_text(-4.0), offset_text(5.5)
    ('8.00', '-4.00', '5.50')
    """
    return f"{hours:.2f}"
