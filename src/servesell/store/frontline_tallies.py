"""KPI tallies of the front line: hand-overs to specialists and script variants.

Hand-overs booked from the window's decisions, contacted, and completed within their
offer's N days (decided in Python: N is the catalog's ``completion_days`` per offer);
offers presented in the call with a front-line script variant, and their sales. Grouped
like the other tallies; by offer the hand-over's or allocation's offer is the key. Both
tables hang off the decision log and are exported with it, so these sums run wherever
the log's run: the database, or Spark over an export (:mod:`servesell.batch.kpis`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from servesell.domain.handover import HandoverStatus
from servesell.domain.offer import Channel
from servesell.domain.variant import STANDARD
from servesell.store.tables import (
    agents,
    decisions,
    handovers,
    outcomes,
    script_allocations,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from sqlalchemy import ColumnElement, Select

    from servesell.domain.offer import Offer


def add_frontline_tallies(
    run: Callable[[Select[Any]], Iterable[Any]],
    parts: dict[Any, dict[str, Any]],
    group_by: str | None,
    key: Any,
    window: ColumnElement[bool],
    *,
    catalog: Mapping[str, Offer],
) -> None:
    """Add hand-over and script-variant tallies into ``parts`` (group key → field → value).

    ``run`` executes a query (the database's, or Spark's over an export); ``catalog``
    gives each offer's ``completion_days`` (14 for an offer no longer in it).
    """
    days = {offer_id: offer.completion_days for offer_id, offer in catalog.items()}
    _handovers(run, parts, group_by, key, window, days=days)
    _variants(run, parts, group_by, key, window)


def _source(group_by: str | None, joined: Any) -> Any:
    if group_by == "team":
        return joined.outerjoin(agents, agents.c.id == decisions.c.agent_id)
    return joined


def _handovers(
    run: Callable[[Select[Any]], Iterable[Any]],
    parts: dict[Any, dict[str, Any]],
    group_by: str | None,
    key: Any,
    window: ColumnElement[bool],
    *,
    days: Mapping[str, float],
) -> None:
    h = handovers.c
    shown_key = h.offer_id if group_by == "offer" else key
    joined = _source(group_by, decisions.join(handovers, h.decision_id == decisions.c.id))
    query = select(shown_key.label("key"), h.offer_id, h.status, h.booked_at, h.closed_at,
                   h.contacted_at).select_from(joined).where(window)  # fmt: skip
    for group, offer_id, status, booked, closed, contacted in run(query):
        part = parts[group]
        part["handovers_booked"] = part.get("handovers_booked", 0) + 1
        done = status == HandoverStatus.COMPLETED.value
        if contacted is not None or done:
            part["handovers_contacted"] = part.get("handovers_contacted", 0) + 1
        in_time = closed is not None and closed - booked <= dt.timedelta(
            days=days.get(offer_id, 14)
        )
        if done and in_time:
            part["referrals_completed"] = part.get("referrals_completed", 0) + 1


def _variants(
    run: Callable[[Select[Any]], Iterable[Any]],
    parts: dict[Any, dict[str, Any]],
    group_by: str | None,
    key: Any,
    window: ColumnElement[bool],
) -> None:
    a, o = script_allocations.c, outcomes.c
    joined = decisions.join(script_allocations, a.decision_id == decisions.c.id).join(
        outcomes,
        and_(o.decision_id == a.decision_id, o.offer_id == a.offer_id,
             o.channel == Channel.IN_CALL.value),
    )  # fmt: skip
    query = (
        select(key.label("key"), o.result, func.count())
        .select_from(_source(group_by, joined))
        .where(window, a.variant_id != STANDARD, o.result.in_(("accepted", "declined")))
        .group_by("key", o.result)
    )
    for group, result, count in run(query):
        part = parts[group]
        part["variant_presented"] = part.get("variant_presented", 0) + int(count)
        if result == "accepted":
            part["variant_accepted"] = part.get("variant_accepted", 0) + int(count)
