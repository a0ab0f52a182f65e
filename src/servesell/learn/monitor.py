"""Watching a live propensity model: calibration, take-up over time, and drift alarms.

The input is the learning log seen as answers: per offer (and channel), the propensity
the decision used and whether the customer took the offer. :func:`watch` cuts it into
score deciles (predicted against observed), ISO weeks (take-up and mean prediction per
week) and checks two rules, each alarm naming the rule that fired and its numbers:

* ``calibration`` — over the last ``recent`` days, the observed take-up is outside
  ``z`` binomial standard errors of the mean prediction (with at least ``min_answers``);
* ``take_up_shift`` — the last ``recent`` days' take-up differs from the ``baseline``
  days before by more than ``z`` standard errors of a two-proportion test.

Pure and plain Python: the supervisor page calls it on every refresh.

>>> import datetime as dt
>>> t = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
>>> answers = [Answer("o1", "in_call", 0.1, i % 3 == 0, t) for i in range(300)]
>>> report = watch(answers, now=t + dt.timedelta(hours=1))
>>> [a.rule for a in report[0].alarms]
['calibration']
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

Z = 3.0
"""Standard errors a difference must exceed to raise an alarm (about 1 in 370 by chance)."""


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer to one offer: the propensity the decision used and what happened."""

    offer_id: str
    channel: str
    predicted: float
    accepted: bool
    at: dt.datetime
    delay_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Decile:
    """Answers whose predictions fall in one tenth of the offer's answers, by score."""

    answers: int
    low: float
    high: float
    predicted: float
    observed: float


@dataclass(frozen=True, slots=True)
class Week:
    """Take-up in one ISO week (``2026-W10``) with the mean prediction beside it."""

    week: str
    answers: int
    accepted: int
    take_up: float
    predicted: float


@dataclass(frozen=True, slots=True)
class Alarm:
    """A drift rule that fired, in words and numbers."""

    rule: str
    offer_id: str
    channel: str
    message: str
    z: float


@dataclass(frozen=True, slots=True)
class OfferWatch:
    """Everything watched for one offer on one channel."""

    offer_id: str
    channel: str
    answers: int
    take_up: float
    predicted: float
    deciles: tuple[Decile, ...]
    weeks: tuple[Week, ...]
    alarms: tuple[Alarm, ...] = field(default=())
    accept_delay_hours: float | None = None
    """Mean time from decision to a *yes* (a digital answer arrives later than a call's)."""


def watch(
    answers: Iterable[Answer],
    *,
    now: dt.datetime,
    recent: float = 7.0,
    baseline: float = 28.0,
    min_answers: int = 100,
    z: float = Z,
) -> list[OfferWatch]:
    """Calibration, weekly take-up and alarms per offer and channel, most answers first."""
    groups: dict[tuple[str, str], list[Answer]] = defaultdict(list)
    for a in answers:
        groups[(a.offer_id, a.channel)].append(a)
    out = []
    for (offer_id, channel), rows in groups.items():
        cut = now - dt.timedelta(days=recent)
        last = [a for a in rows if a.at >= cut]
        before = [a for a in rows if cut - dt.timedelta(days=baseline) <= a.at < cut]
        alarms = [
            alarm
            for alarm in (
                _calibration_alarm(offer_id, channel, last, least=min_answers, z=z, days=recent),
                _shift_alarm(offer_id, channel, last, before, least=min_answers, z=z, days=recent),
            )
            if alarm is not None
        ]
        out.append(
            OfferWatch(
                offer_id,
                channel,
                len(rows),
                _rate(rows),
                _mean(rows),
                deciles(rows),
                weeks(rows),
                tuple(alarms),
                _delay_hours(rows),
            )
        )
    out.sort(key=lambda w: (-w.answers, w.offer_id, w.channel))
    return out


def deciles(rows: list[Answer], bins: int = 10) -> tuple[Decile, ...]:
    """Predicted against observed in ``bins`` equal-count groups, lowest scores first."""
    ordered = sorted(rows, key=lambda a: a.predicted)
    n = len(ordered)
    cuts = [round(i * n / bins) for i in range(bins + 1)]
    out = []
    for lo, hi in pairwise(cuts):
        group = ordered[lo:hi]
        if group:
            out.append(
                Decile(
                    len(group), group[0].predicted, group[-1].predicted, _mean(group), _rate(group)
                )
            )
    return tuple(out)


def weeks(rows: list[Answer]) -> tuple[Week, ...]:
    """Take-up per ISO week, oldest first."""
    by_week: dict[str, list[Answer]] = defaultdict(list)
    for a in rows:
        year, week, _ = a.at.isocalendar()
        by_week[f"{year}-W{week:02d}"].append(a)
    return tuple(
        Week(k, len(v), sum(a.accepted for a in v), _rate(v), _mean(v))
        for k, v in sorted(by_week.items())
    )


def _calibration_alarm(
    offer_id: str, channel: str, rows: list[Answer], *, least: int, z: float, days: float
) -> Alarm | None:
    n = len(rows)
    if n < least:
        return None
    predicted, observed = _mean(rows), _rate(rows)
    se = math.sqrt(max(predicted * (1 - predicted), 1e-12) / n)
    score = (observed - predicted) / se
    if abs(score) <= z:
        return None
    message = (
        f"calibration: {offer_id} on {channel} was predicted at {predicted:.1%} but taken "
        f"by {observed:.1%} of {n} answers in the last {days:g} days "
        f"({abs(score):.1f} standard errors, limit {z:g})"
    )
    return Alarm("calibration", offer_id, channel, message, score)


def _shift_alarm(
    offer_id: str,
    channel: str,
    last: list[Answer],
    before: list[Answer],
    *,
    least: int,
    z: float,
    days: float,
) -> Alarm | None:
    n1, n0 = len(last), len(before)
    if min(n1, n0) < least:
        return None
    p1, p0 = _rate(last), _rate(before)
    pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
    se = math.sqrt(max(pooled * (1 - pooled), 1e-12) * (1 / n1 + 1 / n0))
    score = (p1 - p0) / se
    if abs(score) <= z:
        return None
    message = (
        f"take_up_shift: {offer_id} on {channel} was taken by {p1:.1%} of {n1} answers in "
        f"the last {days:g} days against {p0:.1%} of {n0} before "
        f"({abs(score):.1f} standard errors, limit {z:g})"
    )
    return Alarm("take_up_shift", offer_id, channel, message, score)


def _delay_hours(rows: list[Answer]) -> float | None:
    delays = [a.delay_seconds for a in rows if a.accepted]
    return sum(delays) / len(delays) / 3600.0 if delays else None


def _rate(rows: list[Answer]) -> float:
    return sum(a.accepted for a in rows) / len(rows) if rows else math.nan


def _mean(rows: list[Answer]) -> float:
    return sum(a.predicted for a in rows) / len(rows) if rows else math.nan
