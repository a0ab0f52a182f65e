"""Sum the decision log into :class:`~servesell.report.kpis.Tallies`, per group, in SQL.

Outcomes are attributed to the time of their decision; revenue is the value logged with
the decision and commission the piece rate stored with the outcome (frozen at the sale).
Grouping keys: ``None`` (one total), ``agent``, ``team``, ``offer``, ``hour``
(``00``-``23``) or ``day``
(``YYYY-MM-DD``); hours and days are the center's local time, taken as the time zone's
UTC offset at ``since`` (exact for zones without daylight saving, such as China's). For
``offer``, ``calls`` counts the calls in which the offer was a candidate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, distinct, exists, func, literal, select, text

from servesell.channels.status import Status
from servesell.domain.decision import Fate, OutcomeResult
from servesell.domain.offer import Channel
from servesell.errors import ServesellError
from servesell.report.kpis import GROUPS, TOTAL, Tallies
from servesell.store.frontline_tallies import add_frontline_tallies
from servesell.store.reporting_sources import add_distinct_tallies, add_source_tallies
from servesell.store.tables import (
    agents,
    calls,
    decision_candidates,
    decisions,
    outbox_messages,
    outcomes,
    script_allocations,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from sqlalchemy import ColumnElement, Connection, Select

    from servesell.domain.offer import Offer

_IN_CALL = Channel.IN_CALL.value
_REACHED_PROVIDER = {s.value for s in (Status.SENT, Status.DELIVERED, Status.UNDELIVERED)}
_PRESENTED = (OutcomeResult.ACCEPTED.value, OutcomeResult.DECLINED.value)


def tallies(
    conn: Connection,
    catalog: Mapping[str, Offer],
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    group_by: str | None = None,
    tz: dt.tzinfo = dt.UTC,
) -> dict[str, Tallies]:
    """Tallies per group key for decisions made in [since, until); ``{"all": ...}`` ungrouped."""

    def sources(
        parts: dict[Any, dict[str, Any]], window: ColumnElement[bool], offset: dt.timedelta
    ) -> None:
        add_source_tallies(conn, parts, group_by, window, offset, since=since, until=until, tz=tz)

    return tallies_with(
        conn.execute,
        conn.dialect.name,
        catalog,
        since=since,
        until=until,
        group_by=group_by,
        tz=tz,
        sources=sources,
    )


def tallies_with(
    run: Callable[[Select[Any]], Iterable[Any]],
    dialect: str,
    catalog: Mapping[str, Offer],
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    group_by: str | None = None,
    tz: dt.tzinfo = dt.UTC,
    sources: Callable[[dict[Any, dict[str, Any]], ColumnElement[bool], dt.timedelta], None]
    | None = None,
) -> dict[str, Tallies]:
    """:func:`tallies` with the queries run by ``run`` (``dialect`` names their SQL).

    The same sums then run elsewhere: Spark over an exported log renders these queries
    for PostgreSQL and transpiles them (:mod:`servesell.batch.kpis`). ``sources`` adds the
    tallies of the inputs beside the log (surveys, sale events, agent time, purchases),
    which only the database holds.
    """
    if group_by is not None and group_by not in GROUPS:
        raise ServesellError(
            f"cannot group KPIs by {group_by!r}; choose one of {', '.join(GROUPS)}"
        )
    window = _window(since, until)
    offset = (since or dt.datetime.now(dt.UTC)).astimezone(tz).utcoffset() or dt.timedelta()
    key = _key(group_by, dialect, offset)
    parts: dict[str, dict[str, Any]] = defaultdict(dict)
    for group, count in run(_calls(group_by, key, window)):
        parts[group]["calls"] = count
    for group, with_offer, with_sale in run(_call_outcomes(group_by, key, window)):
        parts[group].update(calls_with_offer=with_offer, calls_with_sale=with_sale)
    for group, fate, count in run(_fates(group_by, key, window)):
        parts[group]["offers_shown" if fate == Fate.SHOWN.value else "digital_routed"] = count
    for row in run(_outcomes(group_by, key, window)):
        _add_outcome(parts[row.key], row, catalog)
    for group, status, count in run(_messages(group_by, key, window)):
        part = parts[group]
        if status in _REACHED_PROVIDER:
            part["messages_sent"] = part.get("messages_sent", 0) + int(count)
        if status == Status.DELIVERED.value:
            part["messages_delivered"] = part.get("messages_delivered", 0) + int(count)
    for group, presented, count, seconds in run(_handle_times(group_by, key, window)):
        side = "with_offer" if presented else "without_offer"
        part = parts[group]
        part[f"timed_calls_{side}"] = part.get(f"timed_calls_{side}", 0) + int(count)
        total = part.get(f"handle_seconds_{side}", 0.0) + float(seconds or 0.0)
        part[f"handle_seconds_{side}"] = total
    add_distinct_tallies(
        run, parts, group_by=group_by, key=key, window=window, dialect=dialect, offset=offset
    )
    frontline_key = script_allocations.c.offer_id if group_by == "offer" else key
    add_frontline_tallies(run, parts, group_by, frontline_key, window, catalog=catalog)
    if sources is not None:
        sources(parts, window, offset)
    return {str(key): Tallies(**values) for key, values in sorted(parts.items(), key=_sort_key)}


def _sort_key(item: tuple[Any, Any]) -> str:
    return "" if item[0] is None else str(item[0])


def _window(since: dt.datetime | None, until: dt.datetime | None) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [literal(True)]
    if since is not None:
        conditions.append(decisions.c.made_at >= since)
    if until is not None:
        conditions.append(decisions.c.made_at < until)
    return and_(*conditions)


def _key(group_by: str | None, dialect: str, offset: dt.timedelta) -> Any:
    if group_by == "agent":
        return func.coalesce(decisions.c.agent_id, "(none)")
    if group_by == "team":
        return func.coalesce(agents.c.team_id, "(none)")
    if group_by == "offer":
        return decision_candidates.c.offer_id
    if group_by in ("hour", "day"):
        return _local_bucket(group_by, dialect, offset)
    return literal(TOTAL)


def _local_bucket(unit: str, dialect: str, offset: dt.timedelta, column: Any = None) -> Any:
    """``HH`` or ``YYYY-MM-DD`` of ``column`` (default ``decisions.made_at``) in local time."""
    column = decisions.c.made_at if column is None else column
    seconds = int(offset.total_seconds())
    if dialect == "postgresql":
        shifted = column + text(f"interval '{seconds} seconds'")
        return func.to_char(shifted, "HH24" if unit == "hour" else "YYYY-MM-DD")
    pattern = "%H" if unit == "hour" else "%Y-%m-%d"
    return func.strftime(pattern, column, f"{seconds:+d} seconds")


def _base(group_by: str | None, key: Any, *columns: Any) -> Select[Any]:
    """SELECT key, columns FROM decisions [JOIN agents]; offer grouping joins candidates."""
    if group_by == "offer":
        source: Any = decisions.join(
            decision_candidates, decision_candidates.c.decision_id == decisions.c.id
        )
    else:
        source = decisions
        if group_by == "team":
            source = source.outerjoin(agents, agents.c.id == decisions.c.agent_id)
    return select(key.label("key"), *columns).select_from(source)


def _calls(group_by: str | None, key: Any, window: ColumnElement[bool]) -> Select[Any]:
    query = _base(group_by, key, func.count(distinct(decisions.c.id)))
    return query.where(window).group_by("key")


def _call_outcomes(group_by: str | None, key: Any, window: ColumnElement[bool]) -> Select[Any]:
    presented = and_(outcomes.c.channel == _IN_CALL, outcomes.c.result.in_(_PRESENTED))
    sold = and_(outcomes.c.channel == _IN_CALL, outcomes.c.result == OutcomeResult.ACCEPTED.value)
    query = _base(
        group_by,
        key,
        func.count(distinct(case((presented, outcomes.c.decision_id)))),
        func.count(distinct(case((sold, outcomes.c.decision_id)))),
    )
    join_on = outcomes.c.decision_id == decisions.c.id
    if group_by == "offer":
        join_on = and_(join_on, outcomes.c.offer_id == decision_candidates.c.offer_id)
    return query.join(outcomes, join_on).where(window).group_by("key")


def _fates(group_by: str | None, key: Any, window: ColumnElement[bool]) -> Select[Any]:
    query = _base(group_by, key, decision_candidates.c.fate, func.count())
    if group_by != "offer":
        query = query.join(decision_candidates, decision_candidates.c.decision_id == decisions.c.id)
    return query.where(
        window, decision_candidates.c.fate.in_([Fate.SHOWN.value, Fate.DIGITAL.value])
    ).group_by("key", decision_candidates.c.fate)


def _outcomes(group_by: str | None, key: Any, window: ColumnElement[bool]) -> Select[Any]:
    if group_by == "offer":
        query = _base(group_by, key).join(
            outcomes,
            and_(
                outcomes.c.decision_id == decisions.c.id,
                outcomes.c.offer_id == decision_candidates.c.offer_id,
            ),
        )
    else:
        query = _base(group_by, key).join(outcomes, outcomes.c.decision_id == decisions.c.id)
        query = query.join(
            decision_candidates,
            and_(
                decision_candidates.c.decision_id == outcomes.c.decision_id,
                decision_candidates.c.offer_id == outcomes.c.offer_id,
            ),
        )
    return (
        query.add_columns(
            outcomes.c.offer_id,
            outcomes.c.channel,
            outcomes.c.result,
            func.count().label("n"),
            func.sum(decision_candidates.c.value).label("value"),
            func.sum(outcomes.c.piece_rate).label("commission"),
            func.sum(outcomes.c.extra_handle_seconds).label("seconds"),
            func.count(outcomes.c.extra_handle_seconds).label("timed"),
        )
        .where(window)
        .group_by("key", outcomes.c.offer_id, outcomes.c.channel, outcomes.c.result)
    )


def _messages(group_by: str | None, key: Any, window: ColumnElement[bool]) -> Select[Any]:
    """Follow-up messages of the window's decisions by delivery status."""
    join_on = outbox_messages.c.decision_id == decisions.c.id
    if group_by == "offer":
        join_on = and_(join_on, outbox_messages.c.offer_id == decision_candidates.c.offer_id)
    query = _base(group_by, key, outbox_messages.c.status, func.count())
    query = query.join(outbox_messages, join_on)
    return query.where(window).group_by("key", outbox_messages.c.status)


def _handle_times(group_by: str | None, key: Any, window: ColumnElement[bool]) -> Select[Any]:
    """Calls with a reported handle time, split by whether an offer was presented."""
    made = [
        outcomes.c.decision_id == decisions.c.id,
        outcomes.c.channel == _IN_CALL,
        outcomes.c.result.in_(_PRESENTED),
    ]
    if group_by == "offer":
        made.append(outcomes.c.offer_id == decision_candidates.c.offer_id)
    presented = exists().where(*made)
    flag = case((presented, 1), else_=0).label("presented")
    query = _base(group_by, key, flag, func.count(), func.sum(calls.c.handle_seconds))
    query = query.join(calls, calls.c.id == decisions.c.call_id)
    return query.where(window).group_by("key", flag)


def _add_outcome(part: dict[str, Any], row: Any, catalog: Mapping[str, Offer]) -> None:
    n, accepted = int(row.n), row.result == OutcomeResult.ACCEPTED.value
    in_call = row.channel == _IN_CALL
    if in_call:
        if row.result in _PRESENTED:
            offer = catalog.get(row.offer_id)
            part["offers_presented"] = part.get("offers_presented", 0) + n
            estimate = offer.extra_handle_seconds if offer else 0.0
            seconds = float(row.seconds or 0.0) + (n - int(row.timed)) * estimate
            part["added_handle_seconds"] = part.get("added_handle_seconds", 0.0) + seconds
        field = {"accepted": "accepted", "declined": "declined"}.get(row.result, "not_offered")
        part[field] = part.get(field, 0) + n
    elif accepted:
        part["digital_accepted"] = part.get("digital_accepted", 0) + n
    referral = catalog.get(row.offer_id)
    if accepted and referral is not None and referral.is_referral:
        part["referral_intents"] = part.get("referral_intents", 0) + n
    if accepted:
        side = "in_call" if in_call else "digital"
        revenue = part.get(f"revenue_{side}", 0.0) + float(row.value or 0.0)
        commission = part.get(f"commission_{side}", 0.0) + float(row.commission or 0.0)
        part[f"revenue_{side}"] = revenue
        part[f"commission_{side}"] = commission
