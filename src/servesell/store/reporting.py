"""Sum the decision log into :class:`~servesell.report.kpis.Tallies`, per group, in SQL.

Outcomes are attributed to the time of their decision. Grouping keys: ``None`` (one
total), ``agent``, ``team`` or ``offer``. For ``offer``, ``calls`` counts the calls in
which the offer was a candidate.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, distinct, func, literal, select

from servesell.domain.decision import Fate, OutcomeResult
from servesell.domain.offer import Channel
from servesell.errors import ServesellError
from servesell.report.kpis import Tallies
from servesell.store.tables import agents, decision_candidates, decisions, outcomes

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from sqlalchemy import ColumnElement, Connection, Select

    from servesell.domain.offer import Offer

GROUPS = ("agent", "team", "offer")
TOTAL = "all"

_IN_CALL = Channel.IN_CALL.value
_PRESENTED = (OutcomeResult.ACCEPTED.value, OutcomeResult.DECLINED.value)


def tallies(
    conn: Connection,
    catalog: Mapping[str, Offer],
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    group_by: str | None = None,
) -> dict[str, Tallies]:
    """Tallies per group key for decisions made in [since, until); ``{"all": ...}`` ungrouped."""
    if group_by is not None and group_by not in GROUPS:
        raise ServesellError(
            f"cannot group KPIs by {group_by!r}; choose one of {', '.join(GROUPS)}"
        )
    window = _window(since, until)
    parts: dict[str, dict[str, Any]] = defaultdict(dict)
    for key, calls in conn.execute(_calls(group_by, window)):
        parts[key]["calls"] = calls
    for key, with_offer, with_sale in conn.execute(_call_outcomes(group_by, window)):
        parts[key].update(calls_with_offer=with_offer, calls_with_sale=with_sale)
    for key, fate, count in conn.execute(_fates(group_by, window)):
        parts[key]["offers_shown" if fate == Fate.SHOWN.value else "digital_sent"] = count
    for row in conn.execute(_outcomes(group_by, window)):
        _add_outcome(parts[row.key], row, catalog)
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


def _key(group_by: str | None) -> Any:
    if group_by == "agent":
        return func.coalesce(decisions.c.agent_id, "(none)")
    if group_by == "team":
        return func.coalesce(agents.c.team_id, "(none)")
    return literal(TOTAL)


def _base(group_by: str | None, *columns: Any) -> Select[Any]:
    """SELECT key, columns FROM decisions [JOIN agents]; offer grouping joins candidates."""
    if group_by == "offer":
        key: Any = decision_candidates.c.offer_id
        source: Any = decisions.join(
            decision_candidates, decision_candidates.c.decision_id == decisions.c.id
        )
    else:
        key = _key(group_by)
        source = decisions
        if group_by == "team":
            source = source.outerjoin(agents, agents.c.id == decisions.c.agent_id)
    return select(key.label("key"), *columns).select_from(source)


def _calls(group_by: str | None, window: ColumnElement[bool]) -> Select[Any]:
    return _base(group_by, func.count(distinct(decisions.c.id))).where(window).group_by("key")


def _call_outcomes(group_by: str | None, window: ColumnElement[bool]) -> Select[Any]:
    presented = and_(outcomes.c.channel == _IN_CALL, outcomes.c.result.in_(_PRESENTED))
    sold = and_(outcomes.c.channel == _IN_CALL, outcomes.c.result == OutcomeResult.ACCEPTED.value)
    query = _base(
        group_by,
        func.count(distinct(case((presented, outcomes.c.decision_id)))),
        func.count(distinct(case((sold, outcomes.c.decision_id)))),
    )
    join_on = outcomes.c.decision_id == decisions.c.id
    if group_by == "offer":
        join_on = and_(join_on, outcomes.c.offer_id == decision_candidates.c.offer_id)
    return query.join(outcomes, join_on).where(window).group_by("key")


def _fates(group_by: str | None, window: ColumnElement[bool]) -> Select[Any]:
    query = _base(group_by, decision_candidates.c.fate, func.count())
    if group_by != "offer":
        query = query.join(decision_candidates, decision_candidates.c.decision_id == decisions.c.id)
    return query.where(
        window, decision_candidates.c.fate.in_([Fate.SHOWN.value, Fate.DIGITAL.value])
    ).group_by("key", decision_candidates.c.fate)


def _outcomes(group_by: str | None, window: ColumnElement[bool]) -> Select[Any]:
    if group_by == "offer":
        query = _base(group_by).join(
            outcomes,
            and_(
                outcomes.c.decision_id == decisions.c.id,
                outcomes.c.offer_id == decision_candidates.c.offer_id,
            ),
        )
    else:
        query = _base(group_by).join(outcomes, outcomes.c.decision_id == decisions.c.id)
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
            func.sum(outcomes.c.extra_handle_seconds).label("seconds"),
            func.count(outcomes.c.extra_handle_seconds).label("timed"),
        )
        .where(window)
        .group_by("key", outcomes.c.offer_id, outcomes.c.channel, outcomes.c.result)
    )


def _add_outcome(part: dict[str, Any], row: Any, catalog: Mapping[str, Offer]) -> None:
    offer = catalog.get(row.offer_id)
    n, accepted = int(row.n), row.result == OutcomeResult.ACCEPTED.value
    if row.channel == _IN_CALL:
        if row.result in _PRESENTED:
            part["offers_presented"] = part.get("offers_presented", 0) + n
            estimate = offer.extra_handle_seconds if offer else 0.0
            seconds = float(row.seconds or 0.0) + (n - int(row.timed)) * estimate
            part["added_handle_seconds"] = part.get("added_handle_seconds", 0.0) + seconds
        field = {"accepted": "accepted", "declined": "declined"}.get(row.result, "not_offered")
        part[field] = part.get(field, 0) + n
    elif accepted:
        part["digital_accepted"] = part.get("digital_accepted", 0) + n
    if accepted:
        part["revenue"] = part.get("revenue", 0.0) + float(row.value or 0.0)
        part["commission"] = part.get("commission", 0.0) + n * (offer.piece_rate if offer else 0.0)
