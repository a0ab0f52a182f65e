"""Journeys in the database: events, journey definitions, tasks, attempts, do-not-call.

Events are kept once per event id; a purchase event seen for the first time is also
appended to ``purchases`` (what campaign evaluation counts), so the two never disagree
and a re-import adds nothing to either. Tasks are kept once per (journey, step, event):
planning twice stores nothing twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, and_, func, insert, select, text, type_coerce, update

from servesell.journeys.contactability import Reach
from servesell.journeys.schedule import Customer, Event, Exits, Planned, TaskStatus
from servesell.journeys.spec import Burst, EventKind, Journey, Step
from servesell.store.bulk import append_rows
from servesell.store.tables import (
    channel_opt_outs,
    customers,
    do_not_call,
    journey_events,
    journey_tasks,
    journeys,
    purchases,
    task_attempts,
)
from servesell.store.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection

_BATCH = 5000
_EVENT_COLUMNS = (
    "id",
    "customer_id",
    "kind",
    "at",
    "product",
    "amount",
    "points",
    "source",
    "recorded_at",
)
_TASK_COLUMNS = (
    "journey_id",
    "step",
    "event_id",
    "customer_id",
    "channel",
    "team",
    "owner_agent",
    "due_from",
    "valid_until",
    "status",
    "reason",
    "attempts",
    "next_attempt_at",
    "grace_until",
    "created_at",
    "updated_at",
)
LIVE = (TaskStatus.OPEN.value, TaskStatus.QUEUED.value, TaskStatus.DONE.value)
"""Statuses of tasks that are, or were, real contacts: what shared caps count."""


@dataclass(frozen=True, slots=True)
class Task:
    """A stored task as the call list, the desktop and the dispositions see it."""

    id: int
    journey_id: str
    step: str
    event_id: str
    customer_id: str
    channel: str
    team: str | None
    owner_agent: str | None
    due_from: dt.datetime
    valid_until: dt.datetime
    status: str
    reason: str | None
    attempts: int
    next_attempt_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    grace_until: dt.datetime | None


def save_events(conn: Connection, events: Sequence[Event], *, source: str) -> int:
    """Store ``events`` not already stored (by id); returns how many were new."""
    now = dt.datetime.now(dt.UTC)
    new = 0
    for start in range(0, len(events), _BATCH):
        batch = _first_of_each(events[start : start + _BATCH])
        known = set(
            conn.execute(
                select(journey_events.c.id).where(journey_events.c.id.in_([e.id for e in batch]))
            ).scalars()
        )
        fresh = [e for e in batch if e.id not in known]
        rows = [
            (e.id, e.customer_id, e.kind.value, e.at, e.product, e.amount, e.points, source, now)
            for e in fresh
        ]
        append_rows(conn, journey_events, _EVENT_COLUMNS, rows, skip_existing=True)
        bought = [
            {
                "customer_id": e.customer_id,
                "product": e.product or "",
                "at": e.at,
                "amount": e.amount or 0.0,
                "source": source,
            }
            for e in fresh
            if e.kind is EventKind.PURCHASE
        ]
        if bought:
            conn.execute(insert(purchases), bought)
        new += len(fresh)
    return new


def _first_of_each(events: Sequence[Event]) -> list[Event]:
    seen: dict[str, Event] = {}
    for event in events:
        seen.setdefault(event.id, event)
    return list(seen.values())


def events_between(
    conn: Connection, kinds: Iterable[EventKind], since: dt.datetime, until: dt.datetime
) -> list[Event]:
    """Events of ``kinds`` that happened in ``[since, until]``."""
    e = journey_events.c
    query = select(e.id, e.customer_id, e.kind, e.at, e.product, e.amount, e.points).where(
        e.kind.in_([k.value for k in kinds]), e.at >= since, e.at <= until
    )
    return [
        Event(r.id, r.customer_id, EventKind(r.kind), r.at, r.product, r.amount, r.points)
        for r in conn.execute(query)
    ]


def save_journeys(conn: Connection, items: Sequence[Journey | Burst]) -> None:
    """Insert or replace each journey or burst by id (active)."""
    now = dt.datetime.now(dt.UTC)
    upsert(
        conn,
        journeys,
        [
            {
                "id": j.id,
                "kind": "burst" if isinstance(j, Burst) else "journey",
                "spec": j.model_dump(mode="json"),
                "active": True,
                "updated_at": now,
            }
            for j in items
        ],
    )


def list_journeys(conn: Connection, *, active_only: bool = True) -> list[Journey]:
    """The stored journeys, by id."""
    query = select(journeys.c.spec).where(journeys.c.kind == "journey").order_by(journeys.c.id)
    if active_only:
        query = query.where(journeys.c.active.is_(True))
    return [Journey.model_validate(spec) for spec in conn.execute(query).scalars()]


def list_bursts(conn: Connection, *, active_only: bool = True) -> list[Burst]:
    """The stored promotional bursts, by id."""
    query = select(journeys.c.spec).where(journeys.c.kind == "burst").order_by(journeys.c.id)
    if active_only:
        query = query.where(journeys.c.active.is_(True))
    return [Burst.model_validate(spec) for spec in conn.execute(query).scalars()]


def all_steps(conn: Connection) -> dict[tuple[str, str], Step]:
    """Every step by (journey or burst id, step name): what lists and desks show."""
    steps = {(j.id, s.name): s for j in list_journeys(conn, active_only=False) for s in j.steps}
    steps.update({(b.id, "burst"): b.as_step() for b in list_bursts(conn, active_only=False)})
    return steps


def trigger_rows(
    conn: Connection,
    kind: EventKind,
    since: dt.datetime,
    until: dt.datetime,
    *,
    zone_field: str,
    consent_field: str,
    full_profile: bool,
    store_field: str = "store",
) -> tuple[list[Event], dict[str, Customer]]:
    """Events of ``kind`` in ``[since, until]`` and their customers, in one joined read.

    The planner's bulk read (``bench/journeys.py``): the profile JSON is read as text and
    parsed once per customer (cheaper than three ``json_extract`` calls); it is kept whole
    only when a trigger rule needs it (``full_profile``).
    """
    e, c = journey_events.c, customers.c
    dnc = select(do_not_call.c.phone).where(do_not_call.c.phone == c.phone).exists()
    columns = [
        e.id,
        e.customer_id,
        type_coerce(e.at, String).label("at"),
        e.product,
        e.amount,
        e.points,
        c.do_not_market,
        c.blacklisted,
        c.vip,
        c.open_complaint,
        c.phone,
        c.email,
        c.wechat_openid,
        type_coerce(c.attributes, String).label("attributes"),
        dnc.label("dnc"),
    ]
    if full_profile:
        columns += [c.holdings]
    query = (
        select(*columns)
        .join_from(journey_events, customers, customers.c.id == e.customer_id)
        .where(e.kind == kind.value, e.at >= since, e.at <= until)
    )
    opted = _opted_out(conn)
    events: list[Event] = []
    people: dict[str, Customer] = {}
    for r in conn.execute(query):
        events.append(Event(r.id, r.customer_id, kind, _utc(r.at), r.product, r.amount, r.points))
        if r.customer_id in people:
            continue
        attributes = _profile(r.attributes)
        zone, consent, store = (
            attributes.get(zone_field),
            attributes.get(consent_field),
            attributes.get(store_field),
        )
        reach = Reach(
            r.customer_id,
            r.blacklisted,
            r.do_not_market,
            bool(r.dnc),
            consent if isinstance(consent, bool) else None,
            r.vip,
            r.open_complaint,
            r.phone,
            r.email,
            r.wechat_openid,
            zone if isinstance(zone, str) else None,
            opted.get(r.customer_id, frozenset()),
        )
        shop = store if isinstance(store, str) else None
        if full_profile:
            holdings = (
                r.holdings if isinstance(r.holdings, list) else json.loads(r.holdings or "[]")
            )
            people[r.customer_id] = Customer(reach, attributes, frozenset(holdings), shop)
        else:
            people[r.customer_id] = Customer(reach, store=shop)
    return events, people


def _profile(value: Any) -> dict[str, Any]:
    """Profile JSON read raw (SQLite: text; PostgreSQL: already a dict)."""
    if isinstance(value, dict):
        return value
    data = json.loads(value) if value else {}
    return data if isinstance(data, dict) else {}


def _utc(value: Any) -> dt.datetime:
    """A stored UTC time read raw (SQLite: text, PostgreSQL: naive datetime), made aware."""
    stamp = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return stamp.replace(tzinfo=dt.UTC)


def _opted_out(conn: Connection) -> dict[str, frozenset[str]]:
    opted: dict[str, set[str]] = {}
    for row in conn.execute(select(channel_opt_outs.c.customer_id, channel_opt_outs.c.channel)):
        opted.setdefault(row.customer_id, set()).add(row.channel)
    return {k: frozenset(v) for k, v in opted.items()}


def planning_customers(
    conn: Connection, customer_ids: Iterable[str], *, zone_field: str, consent_field: str
) -> dict[str, Customer]:
    """Reachability and profile of ``customer_ids`` (those that exist), for planning."""
    wanted = list(dict.fromkeys(customer_ids))
    dnc = set(conn.execute(select(do_not_call.c.phone)).scalars())
    opted: dict[str, set[str]] = {}
    for row in conn.execute(select(channel_opt_outs.c.customer_id, channel_opt_outs.c.channel)):
        opted.setdefault(row.customer_id, set()).add(row.channel)
    out: dict[str, Customer] = {}
    c = customers.c
    columns = (
        c.id,
        c.attributes,
        c.holdings,
        c.do_not_market,
        c.blacklisted,
        c.vip,
        c.open_complaint,
        c.phone,
        c.email,
        c.wechat_openid,
    )
    for start in range(0, len(wanted), 30000):
        chunk = wanted[start : start + 30000]
        for r in conn.execute(select(*columns).where(c.id.in_(chunk))):
            attributes: dict[str, Any] = r.attributes or {}
            zone = attributes.get(zone_field)
            consent = attributes.get(consent_field)
            reach = Reach(
                r.id,
                r.blacklisted,
                r.do_not_market,
                bool(r.phone and r.phone in dnc),
                consent if isinstance(consent, bool) else None,
                r.vip,
                r.open_complaint,
                r.phone,
                r.email,
                r.wechat_openid,
                zone if isinstance(zone, str) else None,
                frozenset(opted.get(r.id, ())),
            )
            out[r.id] = Customer(reach, attributes, frozenset(r.holdings or ()))
    return out


def exits_of(conn: Connection, since: dt.datetime) -> dict[str, Exits]:
    """Complaints since ``since`` and the first channel opt-out, per customer."""
    complaints: dict[str, list[dt.datetime]] = {}
    e = journey_events.c
    query = select(e.customer_id, e.at).where(e.kind == EventKind.COMPLAINT.value, e.at >= since)
    for row in conn.execute(query):
        complaints.setdefault(row.customer_id, []).append(row.at)
    first = select(channel_opt_outs.c.customer_id, func.min(channel_opt_outs.c.at).label("at"))
    opted = {
        r.customer_id: r.at for r in conn.execute(first.group_by(channel_opt_outs.c.customer_id))
    }
    return {
        cid: Exits(tuple(complaints.get(cid, ())), opted.get(cid))
        for cid in set(complaints) | set(opted)
    }


def insert_tasks(
    conn: Connection,
    planned: Sequence[Planned],
    *,
    channels: dict[tuple[str, str], str],
    team: str | None,
    now: dt.datetime,
    teams: Mapping[str, str | None] | None = None,
) -> None:
    """Store ``planned`` steps not stored yet; ``channels`` maps (journey, step) to channel.

    ``teams`` gives a customer's own team (their store), overriding ``team``.
    """
    teams = teams or {}
    rows = [
        (
            p.journey_id,
            p.step,
            p.event_id,
            p.customer_id,
            channels[(p.journey_id, p.step)],
            teams.get(p.customer_id, team),
            None,
            p.due_from,
            p.valid_until,
            p.status.value,
            p.reason,
            0,
            None,
            None,
            now,
            now,
        )
        for p in planned
    ]
    for start in range(0, len(rows), _BATCH):
        append_rows(
            conn, journey_tasks, _TASK_COLUMNS, rows[start : start + _BATCH], skip_existing=True
        )


def add_task(conn: Connection, row: dict[str, Any]) -> bool:
    """Store one task (a callback, a burst contact) unless its key exists; ``True`` if new."""
    now = dt.datetime.now(dt.UTC)
    full = {"attempts": 0, "created_at": now, "updated_at": now, **row}
    values = [full.get(c) for c in _TASK_COLUMNS]
    before = conn.execute(select(func.count()).select_from(journey_tasks)).scalar_one()
    append_rows(conn, journey_tasks, _TASK_COLUMNS, [values], skip_existing=True)
    return conn.execute(select(func.count()).select_from(journey_tasks)).scalar_one() > before


def stored_keys(
    conn: Connection, journey_id: str, since: dt.datetime, until: dt.datetime
) -> set[tuple[str, str]]:
    """``(step, event_id)`` of the tasks of ``journey_id`` whose event fell in ``[since, until]``.

    For a burst (its tasks are keyed by customer, not by event) every task of the burst.
    """
    t, e = journey_tasks.c, journey_events.c
    joined = (
        select(t.step, t.event_id)
        .join_from(journey_tasks, journey_events, e.id == t.event_id)
        .where(t.journey_id == journey_id, e.at >= since, e.at <= until)
    )
    return {(r.step, r.event_id) for r in conn.execute(joined)}


def burst_keys(conn: Connection, burst_id: str) -> set[tuple[str, str]]:
    """``(step, customer)`` of every task the burst already has."""
    t = journey_tasks.c
    query = select(t.step, t.event_id).where(t.journey_id == burst_id)
    return {(r.step, r.event_id) for r in conn.execute(query)}


def close_stale(conn: Connection, as_of: dt.datetime) -> int:
    """Close open tasks whose validity passed (reason ``stale``); returns how many."""
    t = journey_tasks.c
    result = conn.execute(
        update(journey_tasks)
        .where(t.status == TaskStatus.OPEN.value, t.valid_until <= as_of)
        .values(status=TaskStatus.STALE.value, reason="stale", updated_at=as_of)
    )
    return int(result.rowcount or 0)


def contacts_by_customer(
    conn: Connection, customer_ids: set[str] | None, since: dt.datetime, until: dt.datetime
) -> dict[str, list[dt.datetime]]:
    """When each customer has (or had) a live task due in ``[since, until)``, for shared caps."""
    t = journey_tasks.c
    query = select(t.customer_id, t.due_from).where(
        t.status.in_(LIVE), t.due_from >= since, t.due_from < until
    )
    out: dict[str, list[dt.datetime]] = {}
    for row in conn.execute(query):
        if customer_ids is None or row.customer_id in customer_ids:
            out.setdefault(row.customer_id, []).append(row.due_from)
    return out


def get_task(conn: Connection, task_id: int, *, lock: bool = False) -> Task | None:
    """One task by id, or ``None``."""
    query = select(journey_tasks).where(journey_tasks.c.id == task_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    return None if row is None else _task(row)


def tasks_where(conn: Connection, *conditions: Any, limit: int | None = None) -> list[Task]:
    """Tasks matching ``conditions`` (SQLAlchemy expressions on ``journey_tasks``), by due time."""
    query = (
        select(journey_tasks)
        .where(and_(True, *conditions))
        .order_by(journey_tasks.c.due_from, journey_tasks.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [_task(r) for r in conn.execute(query)]


def set_task(conn: Connection, task_id: int, **values: Any) -> None:
    """Change fields of one task (``updated_at`` is set too)."""
    values.setdefault("updated_at", dt.datetime.now(dt.UTC))
    conn.execute(update(journey_tasks).where(journey_tasks.c.id == task_id).values(**values))


def add_attempt(
    conn: Connection,
    task: Task,
    *,
    at: dt.datetime,
    disposition: str,
    agent_id: str | None,
    detail: dict[str, Any],
) -> None:
    """Record one attempt on ``task``."""
    conn.execute(
        insert(task_attempts).values(
            task_id=task.id,
            customer_id=task.customer_id,
            at=at,
            disposition=disposition,
            agent_id=agent_id,
            detail=detail,
        )
    )


def attempts_of(
    conn: Connection, customer_id: str, since: dt.datetime
) -> list[tuple[dt.datetime, str]]:
    """``(at, disposition)`` of every attempt on the customer since ``since``."""
    a = task_attempts.c
    query = select(a.at, a.disposition).where(a.customer_id == customer_id, a.at >= since)
    return [(r.at, r.disposition) for r in conn.execute(query.order_by(a.at))]


def answer_counts(conn: Connection, since: dt.datetime) -> list[tuple[dt.datetime, str]]:
    """``(at, disposition)`` of every attempt since ``since``: what best-time-to-call learns."""
    a = task_attempts.c
    return [
        (r.at, r.disposition)
        for r in conn.execute(select(a.at, a.disposition).where(a.at >= since))
    ]


def add_do_not_call(conn: Connection, phones: Iterable[str], *, source: str) -> int:
    """Add ``phones`` to the do-not-call list (already listed ones are kept); returns new."""
    now = dt.datetime.now(dt.UTC)
    wanted = sorted(set(phones))
    known = (
        set(
            conn.execute(
                select(do_not_call.c.phone).where(do_not_call.c.phone.in_(wanted))
            ).scalars()
        )
        if wanted
        else set()
    )
    rows = [(p, source, now) for p in wanted if p not in known]
    append_rows(conn, do_not_call, ("phone", "source", "at"), rows, skip_existing=True)
    return len(rows)


def lock_planning(conn: Connection) -> None:
    """Serialise planners on PostgreSQL (SQLite's ``BEGIN IMMEDIATE`` already does)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(1101)"))


def _task(row: Any) -> Task:
    return Task(
        row.id,
        row.journey_id,
        row.step,
        row.event_id,
        row.customer_id,
        row.channel,
        row.team,
        row.owner_agent,
        row.due_from,
        row.valid_until,
        row.status,
        row.reason,
        row.attempts,
        row.next_attempt_at,
        row.last_attempt_at,
        row.grace_until,
    )


def task_counts(conn: Connection, since: dt.datetime) -> list[tuple[str, str, str, str, int]]:
    """``(journey, step, status, reason, n)`` of tasks due since ``since``: the overview."""
    t = journey_tasks.c
    query = (
        select(t.journey_id, t.step, t.status, func.coalesce(t.reason, ""), func.count())
        .where(t.due_from >= since)
        .group_by(t.journey_id, t.step, t.status, func.coalesce(t.reason, ""))
    )
    return [(r[0], r[1], r[2], r[3], int(r[4])) for r in conn.execute(query)]
