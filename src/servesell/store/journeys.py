"""Journeys in the database: definitions, tasks, attempts, the do-not-call list.

Tasks are kept once per (journey, step, event): planning twice stores nothing twice.
Events and the planning read are in :mod:`servesell.store.journey_events`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from servesell.journeys.schedule import Planned, TaskStatus
from servesell.journeys.spec import Burst, Journey, Step
from servesell.store.bulk import append_rows, bind_processor
from servesell.store.tables import (
    do_not_call,
    journey_events,
    journey_missed,
    journey_tasks,
    journeys,
    task_attempts,
)
from servesell.store.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table

_BATCH = 50_000
_MISSED_COLUMNS = (
    "journey_id",
    "step",
    "event_id",
    "customer_id",
    "channel",
    "team",
    "due_from",
    "valid_until",
)
_TASK_COLUMNS = (*_MISSED_COLUMNS, "status", "reason", "attempts", "created_at", "updated_at")
"""A new task's columns (owner, next attempt and grace start empty)."""
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

    A step already stale when planned is stored as missed (``journey_missed``), not as a
    task. ``teams`` gives a customer's own team (their store), overriding ``team``.
    Loops over every planned step: longer on purpose (``bench/journeys.py``).
    """
    teams = teams or {}
    when = bind_processor(conn, journey_tasks, "due_from")  # every time column: UtcDateTime
    stamp, status, stale = when(now), _STATUS, TaskStatus.STALE
    tasks: list[tuple[Any, ...]] = []
    missed: dict[tuple[str, str], list[tuple[Any, ...]]] = {}  # by (journey, step)
    for p in planned:
        row = (
            p.journey_id,
            p.step,
            p.event_id,
            p.customer_id,
            channels[p.journey_id, p.step],
            teams.get(p.customer_id, team),
            when(p.due_from),
            when(p.valid_until),
        )
        if p.status is stale:
            missed.setdefault((p.journey_id, p.step), []).append(row)
        else:
            tasks.append((*row, status[p.status], p.reason, 0, stamp, stamp))
    with _indexes_rebuilt(conn, len(tasks)):
        _append_batches(conn, journey_tasks, _TASK_COLUMNS, tasks)
    _append_batches(conn, journey_missed, _MISSED_COLUMNS, _in_key_order(missed))


def _in_key_order(rows: Mapping[tuple[str, str], list[tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    """Missed rows grouped by (journey, step), in key order (journey, step, event).

    Inserting 1.3 million missed steps in key order takes about half the time of inserting
    them in planning order (B-tree appends, not random inserts; ``bench/journeys.py``);
    sorting each group by event id alone is the cheapest way there. Python orders text
    by code point, as SQLite's binary collation orders its UTF-8.
    """
    out: list[tuple[Any, ...]] = []
    for key in sorted(rows):
        group = rows[key]
        group.sort(key=_EVENT)
        out += group
    return out


_EVENT = itemgetter(2)
"""A missed row's event id (its groups share journey and step)."""


@contextmanager
def _indexes_rebuilt(conn: Connection, adding: int) -> Iterator[None]:
    """On SQLite, the tasks' two secondary indexes built after a bulk insert, not during it.

    Only when ``adding`` rows at least double the table (a first run, ``bench/journeys.py``):
    building an index by sorting is cheaper than inserting into it row by row in random
    order, but rebuilding it costs the whole table. The indexes are the same after.
    """
    if conn.dialect.name != "sqlite" or adding < _REBUILD_AT_LEAST or not _small(conn, adding):
        yield
        return
    for index in _SECONDARY:
        conn.exec_driver_sql(f"DROP INDEX {index.name}")
    yield
    for index in _SECONDARY:
        index.create(conn)


def _small(conn: Connection, adding: int) -> bool:
    """Whether ``journey_tasks`` holds no more than ``adding`` rows (its largest row id)."""
    largest = conn.exec_driver_sql("SELECT max(id) FROM journey_tasks").scalar_one()
    return int(largest or 0) <= adding


_REBUILD_AT_LEAST = _BATCH
"""Fewer new tasks than this are inserted into the indexes as they are (a day's run)."""
_SECONDARY = tuple(sorted(journey_tasks.indexes, key=lambda index: str(index.name)))
"""The tasks' indexes no insert needs (due order for lists, a customer's tasks for caps)."""


def _append_batches(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Bound ``rows`` new by their key, :data:`_BATCH` at a time (the driver's lists stay small)."""
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        append_rows(conn, table, columns, batch, skip_existing=True, bound=True)


_STATUS = {s: s.value for s in TaskStatus}
"""Each status as the plain text stored (an enum's ``.value`` costs more, a million times)."""


def add_task(conn: Connection, row: dict[str, Any]) -> bool:
    """Store one task (a callback) unless its (journey, step, event) exists; ``True`` if new."""
    now = dt.datetime.now(dt.UTC)
    full = {"attempts": 0, "created_at": now, "updated_at": now, **row}
    insert_for = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert_for(journey_tasks)
        .values(**full)
        .on_conflict_do_nothing(index_elements=["journey_id", "step", "event_id"])
        .returning(journey_tasks.c.id)
    )
    return conn.execute(stmt).first() is not None


def stored_keys(
    conn: Connection, journey_id: str, since: dt.datetime, until: dt.datetime
) -> set[tuple[str, str]]:
    """``(step, event_id)`` of ``journey_id``'s tasks and missed steps, events in the window.

    The window is ``[since, until]`` on the event's time.
    """
    out: set[tuple[str, str]] = set()
    for table in (journey_tasks, journey_missed):
        t, e = table.c, journey_events.c
        joined = (
            select(t.step, t.event_id)
            .join_from(table, journey_events, e.id == t.event_id)
            .where(t.journey_id == journey_id, e.at >= since, e.at <= until)
        )
        out.update((r.step, r.event_id) for r in conn.execute(joined))
    return out


def burst_keys(conn: Connection, burst_id: str) -> set[tuple[str, str]]:
    """``(step, customer)`` of every task and missed step the burst already has.

    A burst's tasks are keyed by customer, not by event.
    """
    out: set[tuple[str, str]] = set()
    for table in (journey_tasks, journey_missed):
        query = select(table.c.step, table.c.event_id).where(table.c.journey_id == burst_id)
        out.update((r.step, r.event_id) for r in conn.execute(query))
    return out


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


@contextmanager
def planning_lock(conn: Connection) -> Iterator[None]:
    """Serialise planners on PostgreSQL (SQLite's ``BEGIN IMMEDIATE`` already does).

    On SQLite the planner's connection gets a page cache of up to 1 GB for the run (the
    previous size after it): a run writes a task row per step into three indexes, and a
    cache smaller than them makes each insert slower as the table grows
    (``bench/journeys.py``, 1,600,000 rows: 28 s of CPU with 64 MB, 20 s with 1 GB).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(1101)"))
    if conn.dialect.name != "sqlite":
        yield
        return
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    conn.exec_driver_sql(f"PRAGMA cache_size={_PLANNING_CACHE_KB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={before}")


_PLANNING_CACHE_KB = -1_048_576
"""SQLite's ``cache_size`` for a planning run (negative: KiB); pages are taken as used."""


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
    """``(journey, step, status, reason, n)`` of tasks due since ``since``: the overview.

    Missed steps count as tasks closed ``stale`` (what they were stored as before
    ``journey_missed``), so a supervisor sees the same figures.
    """
    t, m = journey_tasks.c, journey_missed.c
    reason = func.coalesce(t.reason, "")
    query = (
        select(t.journey_id, t.step, t.status, reason, func.count())
        .where(t.due_from >= since)
        .group_by(t.journey_id, t.step, t.status, reason)
    )
    missed = (
        select(m.journey_id, m.step, func.count())
        .where(m.due_from >= since)
        .group_by(m.journey_id, m.step)
    )
    counts = Counter({(r[0], r[1], r[2], r[3]): int(r[4]) for r in conn.execute(query)})
    stale = TaskStatus.STALE.value
    counts.update({(r[0], r[1], stale, stale): int(r[2]) for r in conn.execute(missed)})
    return [(*key, n) for key, n in counts.items()]
