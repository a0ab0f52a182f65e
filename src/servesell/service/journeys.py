"""Journeys' round trips: plan due steps, turn callbacks into tasks, build the day's list.

:func:`run_journeys` is what ``servesell journeys run`` and the API call: in one write
transaction (planners queue up, so caps shared by every journey stay exact) it closes
stale tasks, plans every active journey's due steps, applies the shared per-day and
per-week contact caps across all journeys and channels, schedules callbacks and hands
the digital steps that are due to the outbox. Running it twice creates nothing twice.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from servesell.campaigns.holdout import in_holdout
from servesell.domain.schema import FieldSpec, FieldType, ProfileSchema, from_json_values
from servesell.journeys.bursts import STEP, plan_burst
from servesell.journeys.contactability import OutboundLimits, Skip, zone_of
from servesell.journeys.schedule import Planned, TaskStatus, plan
from servesell.rules import compile_rule
from servesell.service.callbacks import release_callbacks, schedule_callbacks
from servesell.service.journey_messages import queue_due_messages
from servesell.service.outbox import LinkBase
from servesell.store.campaigns import get_campaign
from servesell.store.db import write_transaction
from servesell.store.journey_events import exits_of, planning_customers
from servesell.store.journeys import (
    burst_keys,
    close_stale,
    contacts_by_customer,
    insert_tasks,
    list_bursts,
    list_journeys,
    planning_lock,
    save_journeys,
    stored_keys,
)
from servesell.store.profile import load_schema
from servesell.store.tables import customers
from servesell.store.triggers import trigger_rows

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from pathlib import Path

    from sqlalchemy import Connection
    from sqlalchemy import Engine as Database

    from servesell.ingest.journeys import JourneyReport
    from servesell.journeys.schedule import Customer
    from servesell.journeys.spec import Burst, Journey

EVENT_FIELDS = (
    FieldSpec(name="event_product", type=FieldType.STR),
    FieldSpec(name="event_amount", type=FieldType.FLOAT),
    FieldSpec(name="event_points", type=FieldType.INT),
)
"""Fields of the trigger event a journey's rule may use beside the profile's."""


@dataclass(frozen=True, slots=True)
class Profile:
    """Where the profile keeps what contactability reads."""

    zone_field: str = "timezone"
    consent_field: str = "marketing_consent"


@dataclass(slots=True)
class RunReport:
    """What one run did: tasks planned by status and reason, stale closed, callbacks."""

    as_of: dt.datetime
    planned: Counter[str] = field(default_factory=Counter)
    closed_stale: int = 0
    callbacks: int = 0
    released: int = 0
    messages: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = [f"as of {self.as_of.isoformat()}: {sum(self.planned.values())} steps planned"]
        out += [f"  {key}: {n}" for key, n in sorted(self.planned.items())]
        out.append(f"stale tasks closed: {self.closed_stale}")
        out.append(f"callbacks scheduled: {self.callbacks}; released to the team: {self.released}")
        if self.messages:
            shown = ", ".join(f"{k} {n}" for k, n in sorted(self.messages.items()))
            out.append(f"digital steps: {shown}")
        return out


def trigger_rule(conn: Connection, journey: Journey) -> Callable[..., bool | None] | None:
    """The journey's compiled trigger rule over profile + ``event_*`` fields (``None``: TRUE)."""
    return _rule(conn, journey.trigger.rule)


def _rule(conn: Connection, text: str) -> Callable[..., bool | None] | None:
    if text.strip().upper() == "TRUE":
        return None
    schema = require_schema_or_empty(conn)
    compiled = compile_rule(text, ProfileSchema(fields=(*schema.fields, *EVENT_FIELDS)))

    def evaluate(
        values: Mapping[str, Any], holdings: frozenset[str], today: dt.date
    ) -> bool | None:
        """The rule over the profile typed as declared (dates are ISO text in JSON)."""
        return compiled.evaluate({**values, **from_json_values(schema, values)}, holdings, today)

    return evaluate


def run_journeys(
    db: Database,
    *,
    as_of: dt.datetime,
    limits: OutboundLimits | None = None,
    lookahead: dt.timedelta = dt.timedelta(days=1),
    profile: Profile | None = None,
    links: LinkBase | None = None,
) -> RunReport:
    """Plan every active journey's steps due by ``as_of + lookahead`` (idempotent)."""
    limits = limits or OutboundLimits()
    profile = profile or Profile()
    report = RunReport(as_of)
    with _collector_paused(), write_transaction(db) as conn, planning_lock(conn):
        report.closed_stale = close_stale(conn, as_of)
        for journey in list_journeys(conn):
            _run_journey(conn, journey, report, limits=limits, lookahead=lookahead, profile=profile)
        for burst in list_bursts(conn):
            _run_burst(conn, burst, report, profile=profile)
        report.callbacks = schedule_callbacks(conn, as_of)
        report.released = release_callbacks(conn, as_of)
        if links is not None:
            report.messages.update(
                queue_due_messages(conn, as_of, base_url=links.base_url, tz=links.tz)
            )
    return report


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for one run (back on after, if it was on).

    A run builds a few objects per event, none in cycles; with the collector on, its full
    passes over them are a quarter of the run at 100,000 customers and grow faster than
    the run (``bench/journeys.py``).
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _run_journey(
    conn: Connection,
    journey: Journey,
    report: RunReport,
    *,
    limits: OutboundLimits,
    lookahead: dt.timedelta,
    profile: Profile,
) -> None:
    """Plan one journey, keep what is new, apply the shared caps, store it."""
    as_of = report.as_of
    planned, people = _plan_journey(conn, journey, as_of, lookahead, profile)
    since = as_of - dt.timedelta(days=journey.horizon_days)
    stored = stored_keys(conn, journey.id, since, as_of + lookahead)
    if stored:
        planned = [p for p in planned if (p.step, p.event_id) not in stored]
    planned = _apply_caps(conn, planned, people, limits=limits, as_of=as_of, lookahead=lookahead)
    channels = {(journey.id, s.name): s.channel.value for s in journey.steps}
    teams = None
    if journey.assign == "store":
        teams = {cid: journey.team_for(c.store) for cid, c in people.items()}
    insert_tasks(conn, planned, channels=channels, team=journey.team, now=as_of, teams=teams)
    _count(report, planned)


def _run_burst(conn: Connection, burst: Burst, report: RunReport, *, profile: Profile) -> None:
    """Plan one burst's audience once (later runs add only new customers)."""
    planned = _plan_burst(conn, burst, report.as_of, profile)
    stored = burst_keys(conn, burst.id)
    planned = [p for p in planned if (p.step, p.event_id) not in stored]
    channels = {(burst.id, STEP): burst.channel.value}
    insert_tasks(conn, planned, channels=channels, team=burst.team, now=report.as_of)
    _count(report, planned)


def _count(report: RunReport, planned: list[Planned]) -> None:
    """Add ``planned`` to the report by reason, or status when there is none."""
    counts = Counter(p.reason or p.status for p in planned)  # a status counts as its text
    report.planned.update({str(key): n for key, n in counts.items()})


def _plan_journey(
    conn: Connection,
    journey: Journey,
    as_of: dt.datetime,
    lookahead: dt.timedelta,
    profile: Profile,
) -> tuple[list[Planned], dict[str, Customer]]:
    since = as_of - dt.timedelta(days=journey.horizon_days)
    rule = trigger_rule(conn, journey)
    events, customers = trigger_rows(
        conn,
        journey.trigger.event,
        since,
        as_of + lookahead,
        zone_field=profile.zone_field,
        consent_field=profile.consent_field,
        full_profile=rule is not None,
        store_field=journey.store_field,
    )
    held: Callable[[str], bool] | None = None
    if journey.campaign:
        campaign = get_campaign(conn, journey.campaign).campaign
        held = lambda customer_id: in_holdout(campaign, customer_id)  # noqa: E731
    planned = plan(
        journey,
        events,
        customers,
        as_of=as_of,
        lookahead=lookahead,
        rule=rule,
        exits=exits_of(conn, since),
        held_out=held,
    )
    return planned, customers


def _plan_burst(
    conn: Connection, burst: Burst, as_of: dt.datetime, profile: Profile
) -> list[Planned]:
    """The burst's audience planned (hold-out from its campaign, cut to its size)."""
    campaign = get_campaign(conn, burst.campaign).campaign
    rule = _rule(conn, burst.audience)
    ids = conn.execute(select(customers.c.id)).scalars().all()
    people = planning_customers(
        conn, ids, zone_field=profile.zone_field, consent_field=profile.consent_field
    )
    return plan_burst(
        burst,
        people.values(),
        as_of=as_of,
        rule=rule,
        held_out=lambda customer_id: in_holdout(campaign, customer_id),
    )


def _apply_caps(
    conn: Connection,
    planned: list[Planned],
    people: Mapping[str, Customer],
    *,
    limits: OutboundLimits,
    as_of: dt.datetime,
    lookahead: dt.timedelta,
) -> list[Planned]:
    """Skip open steps beyond the shared per-day / per-week caps (every journey counts).

    Days are the customer's local days; tasks already stored (any journey, any channel)
    count first, then this run's in due order — so three journeys planned one after the
    other (the write transaction queues them) never exceed a cap together.
    """
    fresh = [p for p in planned if p.status is TaskStatus.OPEN]
    if not fresh:
        return planned
    earliest = min(p.due_from for p in fresh) - dt.timedelta(days=8)
    wanted = {p.customer_id for p in fresh}
    known = contacts_by_customer(conn, wanted, earliest, as_of + lookahead + dt.timedelta(days=8))
    stale = TaskStatus.STALE  # missed steps get no task id: their order does not matter
    first_fits = limits.contacts_per_day > 0 and limits.contacts_per_week > 0
    out = [p for p in planned if p.status is stale]
    for p in sorted((p for p in planned if p.status is not stale), key=_DUE_ORDER):
        if p.status is not TaskStatus.OPEN:
            out.append(p)
            continue
        mine = known.setdefault(p.customer_id, [])
        skip: Skip | None = None
        if mine or not first_fits:  # a customer's first contact fits any cap of 1 or more
            zone = zone_of(people[p.customer_id].reach.zone) if p.customer_id in people else None
            skip = _cap_skip(p.due_from, mine, zone or dt.UTC, limits)
        if skip is None:
            mine.append(p.due_from)
            out.append(p)
        else:
            out.append(p._replace(status=TaskStatus.SKIPPED, reason=skip.value))
    return out


_DUE_ORDER = itemgetter(4, 0, 1)
"""``Planned`` by due time, journey, step (fields 4, 0, 1 of the named tuple)."""


def _cap_skip(
    due: dt.datetime, others: list[dt.datetime], zone: dt.tzinfo, limits: OutboundLimits
) -> Skip | None:
    day = due.astimezone(zone).date()
    same_day = sum(1 for o in others if o.astimezone(zone).date() == day)
    if same_day >= limits.contacts_per_day:
        return Skip.CAP_DAY
    week = sum(1 for o in others if abs(o - due) < dt.timedelta(days=7))
    if week >= limits.contacts_per_week:
        return Skip.CAP_WEEK
    return None


def load_journeys(db: Database, path: Path) -> JourneyReport:
    """Validate the journeys in ``path`` and store every valid one."""
    from servesell.ingest.journeys import read_journeys

    with write_transaction(db) as conn:
        schema = require_schema_or_empty(conn)
        full = ProfileSchema(fields=(*schema.fields, *EVENT_FIELDS))
        report = read_journeys(path, lambda rule: _check(rule, full))
        save_journeys(conn, [*report.journeys, *report.bursts])
    return report


def _check(rule: str, schema: ProfileSchema) -> None:
    compile_rule(rule, schema)


def require_schema_or_empty(conn: Connection) -> ProfileSchema:
    """The declared profile schema, or an empty one when none was declared yet."""
    return load_schema(conn) or ProfileSchema(fields=())
