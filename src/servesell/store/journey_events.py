"""Journey events and who they are about: stored once per event id, read for planning.

Events are kept once per event id; a purchase event seen for the first time is also
appended to ``purchases`` (what campaign evaluation counts), so the two never disagree
and a re-import adds nothing to either. The planner's joined read of a journey's trigger
events is in :mod:`servesell.store.triggers`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select

from servesell.journeys.schedule import Customer, Event, Exits
from servesell.journeys.spec import EventKind
from servesell.store.bulk import append_rows
from servesell.store.tables import (
    channel_opt_outs,
    customers,
    do_not_call,
    journey_events,
    purchases,
)
from servesell.store.triggers import REACH_COLUMNS, reach_of

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
    columns = (c.id, c.attributes, c.holdings, *REACH_COLUMNS)
    for start in range(0, len(wanted), 30000):
        chunk = wanted[start : start + 30000]
        for r in conn.execute(select(*columns).where(c.id.in_(chunk))):
            attributes: dict[str, Any] = r.attributes or {}
            reach = reach_of(
                r,
                r.id,
                attributes,
                (zone_field, consent_field),
                do_not_call=bool(r.phone and r.phone in dnc),
                opted_out=frozenset(opted.get(r.id, ())),
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
