"""The day's outbound call list: contactable tasks, ranked, cut to capacity, exported.

Every open call task due on the day is checked with the one contactability check
(do-not-call, consent, window on the customer's clock, gaps, attempts, shared caps —
inbound offers made count as contacts too); the rest are ranked by expected value ×
probability of answering at the hour they would be called, and the best go on the list
up to the team's capacity. Every task left off has a reason.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from servesell.journeys.calllist import (
    AnswerRates,
    Entry,
    capacity,
    fill_hours,
    rank,
)
from servesell.journeys.contactability import Load, OutboundLimits, Skip, contactable, zone_of
from servesell.journeys.dispositions import Disposition
from servesell.journeys.schedule import TaskStatus
from servesell.journeys.spec import StepChannel, Window
from servesell.journeys.windows import gmt_offset, inside, next_opening
from servesell.store.decisions import contact_history
from servesell.store.dispositions import CALLBACK_JOURNEY
from servesell.store.journey_events import planning_customers
from servesell.store.journeys import all_steps, answer_counts, attempts_of, tasks_where
from servesell.store.tables import agents, journey_tasks

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.journeys.schedule import Customer
    from servesell.journeys.spec import Step
    from servesell.store.journeys import Task

CALLBACK_WINDOWS = (Window.parse("08:00-21:00"),)
"""When an owned callback may be made (the customer asked for it; quiet hours still hold)."""
CALLBACK_VALUE = 3.0
"""A callback the customer asked for ranks above a routine step (value 1 by default)."""
HOURS_PER_DAY = 8.5


@dataclass(frozen=True, slots=True)
class Line:
    """One call on the list, with what the agent and the dialer need."""

    task: Task
    entry: Entry
    phone: str
    name: str
    purpose: str
    script: str
    zone: str
    gmt_offset: float
    windows: tuple[Window, ...] = CALLBACK_WINDOWS


@dataclass(slots=True)
class CallList:
    """A team's list for one day: capacity, the calls, and why the others are not on it."""

    day: dt.date
    team: str | None
    capacity: int
    lines: list[Line] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    over_capacity: int = 0


def call_list(
    conn: Connection,
    day: dt.date,
    *,
    tz: dt.tzinfo,
    team: str | None = None,
    agents_count: int | None = None,
    hours: float = HOURS_PER_DAY,
    limits: OutboundLimits | None = None,
    zone_field: str = "timezone",
    consent_field: str = "marketing_consent",
) -> CallList:
    """The list for ``day`` (the center's date) of ``team`` (all teams when ``None``)."""
    limits = limits or OutboundLimits()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    end = start + dt.timedelta(days=1)
    steps = all_steps(conn)
    tasks = _due_tasks(conn, start, end, team)
    people = planning_customers(
        conn, {t.customer_id for t in tasks}, zone_field=zone_field, consent_field=consent_field
    )
    rates = AnswerRates.learn(_history(conn, start, tz))
    size = capacity(_agents(conn, team) if agents_count is None else agents_count, hours)
    out = CallList(day, team, size)
    candidates: list[Line] = []
    for task in tasks:
        line = _line(
            conn,
            task,
            steps.get((task.journey_id, task.step)),
            people.get(task.customer_id),
            span=(start, end),
            limits=limits,
            rates=rates,
            skipped=out.skipped,
        )
        if line is not None:
            candidates.append(line)
    by_task = {c.task.id: c for c in candidates}
    per_hour = max(1, round(size / hours)) if size else 0

    def fits(entry: Entry, at: dt.datetime) -> bool:
        line = by_task[entry.task_id]
        return inside(at, ZoneInfo(line.zone), line.windows)

    placed = fill_hours(
        rank([c.entry for c in candidates]), size=size, per_hour=per_hour, until=end, fits=fits
    )
    out.lines = [_at_slot(by_task[e.task_id], e, rates) for e in placed]
    out.over_capacity = len(candidates) - len(out.lines)
    return out


def _at_slot(line: Line, entry: Entry, rates: AnswerRates) -> Line:
    """``line`` at the time it was given, with the answer rate of that local hour."""
    hour = entry.call_at.astimezone(ZoneInfo(line.zone)).hour
    return replace(line, entry=replace(entry, p_answer=rates.at(hour)))


def _due_tasks(
    conn: Connection, start: dt.datetime, end: dt.datetime, team: str | None
) -> list[Task]:
    t = journey_tasks.c
    conditions = [
        t.status == TaskStatus.OPEN.value,
        t.channel == StepChannel.CALL.value,
        t.due_from < end,
        t.valid_until > start,
        or_(t.next_attempt_at.is_(None), t.next_attempt_at < end),
    ]
    if team is not None:
        conditions.append(t.team == team)
    return tasks_where(conn, *conditions)


def _line(
    conn: Connection,
    task: Task,
    step: Step | None,
    person: Customer | None,
    *,
    span: tuple[dt.datetime, dt.datetime],
    limits: OutboundLimits,
    rates: AnswerRates,
    skipped: Counter[str],
) -> Line | None:
    start, end = span
    if person is None:
        skipped["unknown_customer"] += 1
        return None
    windows = step.windows if step else CALLBACK_WINDOWS
    zone = zone_of(person.reach.zone)
    earliest = max(start, task.due_from, task.next_attempt_at or start)
    call_at = next_opening(earliest, zone, windows) if zone is not None else earliest
    if zone is not None and (call_at >= end or call_at >= task.valid_until):
        skipped[Skip.OUTSIDE_WINDOW.value] += 1
        return None
    asked = task.journey_id == CALLBACK_JOURNEY
    # A callback the customer asked for is exempt from caps and gaps (their own call used
    # them), never from the who-must-not-be-called rules or the window.
    load = Load(step_attempts=task.attempts) if asked else _load(conn, task, call_at)
    skip = contactable(
        person.reach,
        load,
        channel=StepChannel.CALL,
        now=call_at,
        windows=windows,
        limits=limits,
        max_step=step.max_attempts if step else 3,
        vip_allowed=task.journey_id == CALLBACK_JOURNEY,
    )
    if skip is not None:
        skipped[skip.value] += 1
        return None
    assert zone is not None
    best, p_best = _best_hour(call_at, min(end, task.valid_until), zone, windows, rates)
    value = step.value if step else CALLBACK_VALUE
    entry = Entry(task.id, task.customer_id, best, value, p_best, task.valid_until, call_at)
    name = person.attributes.get("name")
    return Line(
        task,
        entry,
        person.reach.phone or "",
        name if isinstance(name, str) else "",
        step.purpose if step else "callback requested by the customer",
        step.script if step else "",
        str(zone),
        gmt_offset(zone, call_at.astimezone(zone).date()),
        tuple(windows),
    )


def _best_hour(
    opens: dt.datetime,
    until: dt.datetime,
    zone: dt.tzinfo,
    windows: tuple[Window, ...],
    rates: AnswerRates,
) -> tuple[dt.datetime, float]:
    """The likeliest hour to answer in the task's windows today, and its probability.

    The earliest of equals; the list ranks and schedules by it.
    """
    best, p_best = opens, rates.at(opens.astimezone(zone).hour)
    at = opens.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    while at < until:
        p = rates.at(at.astimezone(zone).hour)
        if p > p_best and inside(at, zone, windows):
            best, p_best = at, p
        at += dt.timedelta(hours=1)
    return best, p_best


def _load(conn: Connection, task: Task, at: dt.datetime) -> Load:
    """The customer's contacts: outbound attempts and inbound offers made, every campaign."""
    day_ago, week_ago = at - dt.timedelta(days=1), at - dt.timedelta(days=7)
    attempts = attempts_of(conn, task.customer_id, week_ago)
    connected = [a for a, d in attempts if Disposition(d).connected]
    inbound = [
        c.at
        for c in contact_history(conn, task.customer_id, week_ago)
        if not c.offer_id.startswith("journey:")  # outbound ones are the attempts above
    ]
    return Load(
        contacts_today=sum(1 for a in connected + inbound if a > day_ago),
        contacts_week=len(connected) + len(inbound),
        attempts_today=sum(1 for a, _ in attempts if a > day_ago),
        step_attempts=task.attempts,
        last_attempt=max((a for a, _ in attempts), default=None),
    )


def _history(conn: Connection, start: dt.datetime, tz: dt.tzinfo) -> list[tuple[int, bool]]:
    """``(local hour, connected)`` of the last 90 days' attempts (center's clock)."""
    rows = answer_counts(conn, start - dt.timedelta(days=90))
    return [(at.astimezone(tz).hour, Disposition(d).connected) for at, d in rows]


def _agents(conn: Connection, team: str | None) -> int:
    query = select(func.count()).select_from(agents)
    if team is not None:
        query = query.where(agents.c.team_id == team)
    return int(conn.execute(query).scalar_one())
