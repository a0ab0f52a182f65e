"""Tallies from beside the decision log: agents and days, agent time, activations, outbound.

Called by :func:`servesell.store.reporting.tallies` with the same grouping and window:

* ``agents`` / ``days``: distinct agents and local days of the window's decisions
  (:func:`add_distinct_tallies`, run with the log's own sums, on Spark too);
* ``logged_in_seconds`` / ``paid_seconds``: ``agent_shifts`` of the window's local days
  (grouped by agent, team or day; none for hour and offer groups);
* ``activations``: sales of the window's decisions the core systems report activated;
* outbound: ``calls`` on an outbound queue (:data:`OUTBOUND_QUEUES`) started in the window —
  dialled, connected (handle time > 0), agent-days — and the in-call sales of their
  decisions. An outbound dialler (journeys) reports its calls there.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, distinct, func, literal, select

from servesell.domain.decision import OutcomeResult
from servesell.domain.offer import Channel
from servesell.report.kpis import TOTAL
from servesell.store.tables import (
    agent_shifts,
    agents,
    calls,
    decisions,
    outcomes,
    sale_events,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from sqlalchemy import ColumnElement, Connection, Select

OUTBOUND_QUEUES = ("outbound",)
"""Queue names whose calls the center placed (promotional lists, follow-ups)."""
ACTIVATED = "activated"


def add_source_tallies(
    conn: Connection,
    parts: dict[Any, dict[str, Any]],
    group_by: str | None,
    window: ColumnElement[bool],
    offset: dt.timedelta,
    *,
    since: dt.datetime | None,
    until: dt.datetime | None,
    tz: dt.tzinfo,
) -> None:
    """Add the module's tallies into ``parts`` (group key → field → value)."""
    from servesell.store.reporting import _key

    dialect = conn.dialect.name
    if group_by != "offer":
        key = _key(group_by, dialect, offset)
        _activations(conn, parts, group_by, key, window)
        _outbound(
            conn, parts, group_by=group_by, dialect=dialect, offset=offset, since=since, until=until
        )
    if group_by in (None, "agent", "team", "day"):
        _shifts(conn, parts, group_by=group_by, since=since, until=until, tz=tz)


def add_distinct_tallies(
    run: Callable[[Select[Any]], Iterable[Any]],
    parts: dict[Any, dict[str, Any]],
    *,
    group_by: str | None,
    key: Any,
    window: ColumnElement[bool],
    dialect: str,
    offset: dt.timedelta,
) -> None:
    """Add the distinct agents and local days of the window's decisions (not for offers).

    They come from the decision log alone, so they run wherever the log's sums run
    (the database, or Spark over an export).
    """
    from servesell.store.reporting import _local_bucket

    if group_by == "offer":
        return
    day = _local_bucket("day", dialect, offset)
    source: Any = decisions
    if group_by == "team":
        source = decisions.outerjoin(agents, agents.c.id == decisions.c.agent_id)
    query = (
        select(
            key.label("key"), func.count(distinct(decisions.c.agent_id)), func.count(distinct(day))
        )
        .select_from(source)
        .where(window)
        .group_by("key")
    )
    for group, n_agents, n_days in run(query):
        parts[group].update(agents=int(n_agents), days=int(n_days))


def _activations(
    conn: Connection,
    parts: dict[Any, dict[str, Any]],
    group_by: str | None,
    key: Any,
    window: ColumnElement[bool],
) -> None:
    source: Any = decisions.join(sale_events, sale_events.c.decision_id == decisions.c.id)
    if group_by == "team":
        source = source.outerjoin(agents, agents.c.id == decisions.c.agent_id)
    query = (
        select(key.label("key"), func.count())
        .select_from(source)
        .where(window, sale_events.c.kind == ACTIVATED)
        .group_by("key")
    )
    for group, count in conn.execute(query):
        parts[group]["activations"] = int(count)


def _outbound(
    conn: Connection,
    parts: dict[Any, dict[str, Any]],
    *,
    group_by: str | None,
    dialect: str,
    offset: dt.timedelta,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> None:
    from servesell.store.reporting import _local_bucket

    key: Any = literal(TOTAL)
    source: Any = calls
    if group_by == "agent":
        key = func.coalesce(calls.c.agent_id, "(none)")
    elif group_by == "team":
        key = func.coalesce(agents.c.team_id, "(none)")
        source = calls.outerjoin(agents, agents.c.id == calls.c.agent_id)
    elif group_by in ("hour", "day"):
        key = _local_bucket(group_by, dialect, offset, calls.c.started_at)
    conditions: list[ColumnElement[bool]] = [calls.c.queue.in_(OUTBOUND_QUEUES)]
    if since is not None:
        conditions.append(calls.c.started_at >= since)
    if until is not None:
        conditions.append(calls.c.started_at < until)
    day = _local_bucket("day", dialect, offset, calls.c.started_at)
    agent_day = func.coalesce(calls.c.agent_id, "") + literal("|") + day
    connected = case((calls.c.handle_seconds > 0, 1), else_=0)
    sold = select(func.count()).where(
        outcomes.c.decision_id == decisions.c.id,
        outcomes.c.channel == Channel.IN_CALL.value,
        outcomes.c.result == OutcomeResult.ACCEPTED.value,
    )
    query = (
        select(
            key.label("key"),
            func.count(),
            func.sum(connected),
            func.count(distinct(agent_day)),
            func.sum(func.coalesce(sold.scalar_subquery(), 0)),
        )
        .select_from(source.outerjoin(decisions, decisions.c.call_id == calls.c.id))
        .where(and_(*conditions))
        .group_by("key")
    )
    for group, dialled, connects, agent_days, sales in conn.execute(query):
        parts[group].update(
            outbound_calls=int(dialled),
            outbound_connects=int(connects or 0),
            outbound_agent_days=int(agent_days),
            outbound_sales=int(sales or 0),
        )


def _shifts(
    conn: Connection,
    parts: dict[Any, dict[str, Any]],
    *,
    group_by: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    tz: dt.tzinfo,
) -> None:
    key: Any = literal(TOTAL)
    source: Any = agent_shifts
    if group_by == "agent":
        key = agent_shifts.c.agent_id
    elif group_by == "team":
        key = func.coalesce(agents.c.team_id, "(none)")
        source = agent_shifts.outerjoin(agents, agents.c.id == agent_shifts.c.agent_id)
    conditions: list[ColumnElement[bool]] = [literal(True)]
    if since is not None:
        conditions.append(agent_shifts.c.day >= since.astimezone(tz).date())
    if until is not None:
        last = (until - dt.timedelta(microseconds=1)).astimezone(tz).date()
        conditions.append(agent_shifts.c.day <= last)
    columns = [
        func.sum(agent_shifts.c.logged_in_seconds),
        func.sum(agent_shifts.c.paid_seconds),
    ]
    if group_by == "day":
        query = select(agent_shifts.c.day, *columns).where(*conditions).group_by(agent_shifts.c.day)
        rows = [(day.isoformat(), li, paid) for day, li, paid in conn.execute(query)]
    else:
        query = select(key.label("key"), *columns).select_from(source).where(*conditions)
        rows = list(conn.execute(query.group_by("key")))
    for group, logged_in, paid in rows:
        parts[group].update(logged_in_seconds=float(logged_in or 0), paid_seconds=float(paid or 0))
