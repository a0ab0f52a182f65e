"""The planner's bulk read: a journey's trigger events joined with their customers.

One read per journey and run (``bench/journeys.py``: a million events). On SQLite it goes
through the driver's own cursor, in chunks, with the three profile fields contactability
needs taken out of the JSON by SQLite (``json_type`` keeps a ``true`` apart from a ``1``);
elsewhere, or when a trigger rule needs the whole profile, through SQLAlchemy with the
profile parsed once per customer. Both give the same events and customers.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, select, type_coerce

from servesell.journeys.contactability import Reach
from servesell.journeys.schedule import Customer, Event
from servesell.store.bulk import sqlite_utc
from servesell.store.tables import channel_opt_outs, customers, do_not_call, journey_events

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from sqlalchemy import Connection

    from servesell.journeys.spec import EventKind

_CHUNK = 20_000
REACH_COLUMNS = (
    customers.c.do_not_market,
    customers.c.blacklisted,
    customers.c.vip,
    customers.c.open_complaint,
    customers.c.phone,
    customers.c.email,
    customers.c.wechat_openid,
)
"""The customer's columns contactability reads (beside the profile's zone and consent)."""


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

    The profile is kept whole only when a trigger rule needs it (``full_profile``).
    """
    fields = (zone_field, consent_field, store_field)
    if conn.dialect.name == "sqlite" and not full_profile:
        events, people = _sqlite_rows(conn, kind, since, until, fields)
    else:
        events, people = [], {}
        for event, customer in _generic_rows(
            conn, kind, since, until, fields, full_profile=full_profile
        ):
            events.append(event)
            if customer is not None:
                people[event.customer_id] = customer
    for customer_id, channels in _opted_out(conn).items():
        if customer_id in people:
            person = people[customer_id]
            person.reach = person.reach._replace(opted_out=channels)
    return events, people


def _sqlite_rows(
    conn: Connection,
    kind: EventKind,
    since: dt.datetime,
    until: dt.datetime,
    fields: tuple[str, str, str],
) -> tuple[list[Event], dict[str, Customer]]:
    """The joined read on SQLite's own cursor (``bench/journeys.py``: a third of SQLAlchemy's).

    Loops over every trigger event, filling the lists in place (no generator, no pair per
    row): longer on purpose (``bench/journeys.py``).
    """
    zone, consent, store = (f'$."{name}"' for name in fields)
    window = (kind.value, sqlite_utc(since), sqlite_utc(until))
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(
        _sqlite_read(_customers_first(cursor, window)),
        (zone, zone, consent, store, store, *window),
    )
    events: list[Event] = []
    people: dict[str, Customer] = {}
    append = events.append
    parse = dt.datetime.fromisoformat  # stored as naive UTC text: read back aware
    while rows := cursor.fetchmany(_CHUNK):
        for r in rows:
            customer_id = r[1]
            append(Event(r[0], customer_id, kind, parse(r[2] + "+00:00"), r[3], r[4], r[5]))
            if customer_id in people:
                continue
            reach = Reach(
                customer_id,
                bool(r[7]),
                bool(r[6]),
                bool(r[16]),
                _CONSENT.get(r[14]),
                bool(r[8]),
                bool(r[9]),
                r[10],
                r[11],
                r[12],
                r[13],
            )
            people[customer_id] = Customer(reach, store=r[15])
    cursor.close()
    return events, people


_CONSENT = {"true": True, "false": False}
"""SQLite's ``json_type`` of the consent field as the boolean it stands for (else ``None``)."""


def _customers_first(cursor: Any, window: tuple[str, str | None, str | None]) -> bool:
    """Whether the window's events reach at least half the customers.

    Then scanning the customers in order and looking each one's events up is about twice
    as fast as looking each event's customer up (``bench/journeys.py``); otherwise, with
    few events among many customers, only the events' customers are read.
    """
    cursor.execute(_COUNT_EVENTS, window)
    events = cursor.fetchone()[0]
    cursor.execute("SELECT max(rowid) FROM customers")
    customers = cursor.fetchone()[0] or 0
    return bool(events) and 2 * events >= customers


def _sqlite_read(customers_first: bool) -> str:
    """The joined read in either join order; rows come in event time order either way."""
    tables = (
        "customers c CROSS JOIN journey_events e ON c.id = e.customer_id"
        if customers_first
        else "journey_events e JOIN customers c ON c.id = e.customer_id"
    )
    return _SQLITE_READ.format(tables=tables)


_COUNT_EVENTS = "SELECT count(*) FROM journey_events WHERE kind = ? AND at >= ? AND at <= ?"

_SQLITE_READ = """
SELECT e.id, e.customer_id, e.at, e.product, e.amount, e.points,
       c.do_not_market, c.blacklisted, c.vip, c.open_complaint, c.phone, c.email,
       c.wechat_openid,
       CASE WHEN json_type(c.attributes, ?) = 'text' THEN json_extract(c.attributes, ?) END,
       json_type(c.attributes, ?),
       CASE WHEN json_type(c.attributes, ?) = 'text' THEN json_extract(c.attributes, ?) END,
       EXISTS (SELECT 1 FROM do_not_call d WHERE d.phone = c.phone)
FROM {tables}
WHERE e.kind = ? AND e.at >= ? AND e.at <= ?
ORDER BY e.at, e.rowid
"""
"""The order is the kind-and-time index's: what the planner has always seen (task ids)."""


def _generic_rows(
    conn: Connection,
    kind: EventKind,
    since: dt.datetime,
    until: dt.datetime,
    fields: tuple[str, str, str],
    *,
    full_profile: bool,
) -> Iterator[tuple[Event, Customer | None]]:
    """The joined read through SQLAlchemy: the profile read raw and parsed once per customer."""
    e, c = journey_events.c, customers.c
    dnc = select(do_not_call.c.phone).where(do_not_call.c.phone == c.phone).exists()
    columns = [
        e.id,
        e.customer_id,
        type_coerce(e.at, String).label("at"),
        e.product,
        e.amount,
        e.points,
        *REACH_COLUMNS,
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
    seen: set[str] = set()
    for r in conn.execute(query):
        event = Event(r.id, r.customer_id, kind, _utc(r.at), r.product, r.amount, r.points)
        if r.customer_id in seen:
            yield event, None
            continue
        seen.add(r.customer_id)
        yield event, _person(r, fields, full_profile=full_profile)


def _person(r: Any, fields: tuple[str, str, str], *, full_profile: bool) -> Customer:
    attributes = _profile(r.attributes)
    reach = reach_of(r, r.customer_id, attributes, fields[:2], do_not_call=bool(r.dnc))
    store = attributes.get(fields[2])
    shop = store if isinstance(store, str) else None
    if not full_profile:
        return Customer(reach, store=shop)
    holdings = r.holdings if isinstance(r.holdings, list) else json.loads(r.holdings or "[]")
    return Customer(reach, attributes, frozenset(holdings), shop)


def reach_of(
    row: Any,
    customer_id: str,
    profile: Mapping[str, Any],
    fields: tuple[str, str],
    *,
    do_not_call: bool,
    opted_out: frozenset[str] = frozenset(),
) -> Reach:
    """Contactability from a row with :data:`REACH_COLUMNS` and the profile's zone and consent.

    ``fields`` names the zone and consent fields; a zone that is not text and a consent
    that is not a boolean count as missing.
    """
    zone, consent = (profile.get(name) for name in fields)
    return Reach(
        customer_id,
        row.blacklisted,
        row.do_not_market,
        do_not_call,
        consent if isinstance(consent, bool) else None,
        row.vip,
        row.open_complaint,
        row.phone,
        row.email,
        row.wechat_openid,
        zone if isinstance(zone, str) else None,
        opted_out,
    )


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
