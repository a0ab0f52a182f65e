"""Which journey steps are due: pure planning from events, the clock and the rules.

:func:`plan` turns one journey's trigger events into :class:`Planned` steps, each with
its opening time (the step's window on the customer's clock), its validity and a status:
``open`` (to be done), ``stale`` (its validity passed before it was planned — after a
pause nothing floods out late) or ``skipped`` with a :class:`Skip` reason (exit,
re-entry, unknown time zone, hold-out, a customer who must not be contacted). The store
keeps one row per (journey, step, event), so planning twice creates nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from servesell.journeys.contactability import Reach, Skip, who_blocks, zone_of
from servesell.journeys.spec import EventKind, ExitOn, Reentry, StepChannel
from servesell.journeys.windows import step_span

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from servesell.journeys.spec import Journey, Step

DAY = dt.timedelta(days=1)


class TaskStatus(StrEnum):
    """Where a planned step is in its life."""

    OPEN = "open"
    """Due (or soon due): on the call list, or waiting for its message to be queued."""
    QUEUED = "queued"
    """A digital step whose message is in the outbox (queued is not sent)."""
    DONE = "done"
    STALE = "stale"
    SKIPPED = "skipped"
    CLOSED = "closed"
    """Closed by a disposition that ends it (refused, wrong number, attempts used up)."""


LIVE = (TaskStatus.OPEN,)
_SKIPPED = TaskStatus.SKIPPED


class Event(NamedTuple):
    """Something the core systems reported about a customer (idempotent by ``id``)."""

    id: str
    customer_id: str
    kind: EventKind
    at: dt.datetime
    product: str | None = None
    amount: float | None = None
    points: int | None = None

    def fields(self) -> dict[str, object]:
        """The event as ``event_*`` fields for a trigger rule."""
        return {
            "event_product": self.product,
            "event_amount": self.amount,
            "event_points": self.points,
        }


class Planned(NamedTuple):
    """One step planned for one customer after one event (a named tuple: made by the million)."""

    journey_id: str
    step: str
    event_id: str
    customer_id: str
    due_from: dt.datetime
    valid_until: dt.datetime
    status: TaskStatus
    reason: str | None = None


@dataclass(slots=True)
class Customer:
    """What planning needs of a customer: reachability and profile (for the trigger rule)."""

    reach: Reach
    attributes: Mapping[str, object] = field(default_factory=dict)
    holdings: frozenset[str] = frozenset()
    store: str | None = None
    """The customer's store, when a journey assigns its tasks to stores."""


@dataclass(frozen=True, slots=True)
class Exits:
    """A customer's events that can end a journey (times only)."""

    complaints: tuple[dt.datetime, ...] = ()
    opted_out_at: dt.datetime | None = None


def plan(
    journey: Journey,
    events: Iterable[Event],
    customers: Mapping[str, Customer],
    *,
    as_of: dt.datetime,
    lookahead: dt.timedelta = DAY,
    rule: Callable[[Mapping[str, object], frozenset[str], dt.date], bool | None] | None = None,
    exits: Mapping[str, Exits] | None = None,
    held_out: Callable[[str], bool] | None = None,
) -> list[Planned]:
    """Every step of ``journey`` that opens by ``as_of + lookahead``, for each trigger event.

    ``events`` are the journey's trigger events (any order); a customer missing from
    ``customers`` is skipped silently (not in the profile store: nobody to call).
    """
    by_customer: dict[str, list[Event]] = {}
    for event in events:
        if event.kind is journey.trigger.event:
            by_customer.setdefault(event.customer_id, []).append(event)
    slots = _Slots(journey, as_of, as_of + lookahead)
    out: list[Planned] = []
    exits = exits or {}
    channels = {st.channel for st in journey.steps}
    for customer_id, mine in by_customer.items():
        customer = customers.get(customer_id)
        if customer is None:
            continue
        if len(mine) > 1:
            mine.sort(key=lambda e: (e.at, e.id))
        entries = _entries(journey, mine, customer, rule)
        blocks = {
            ch: who_blocks(customer.reach, ch, vip_allowed=journey.vip_allowed) for ch in channels
        }
        skip_all = _customer_skip(blocks[journey.steps[0].channel], customer, held_out)
        zone = zone_of(customer.reach.zone) or dt.UTC  # an unknown zone is skipped (blocks)
        for index, (event, entry_skip) in enumerate(entries):
            later = _later(entries, index)
            out += _event_steps(
                journey,
                event,
                slots.of(zone, event.at),
                skip_all or entry_skip,
                _Context(later, exits.get(customer_id), blocks),
            )
    return out


def _later(entries: list[tuple[Event, Skip | None]], index: int) -> dt.datetime | None:
    """When the next entering event after ``entries[index]`` happened (``None``: none)."""
    if index + 1 == len(entries):
        return None
    return next((e.at for e, s in entries[index + 1 :] if s is None), None)


class _Slot(NamedTuple):
    """One step's opening and validity for events of one local date in one zone."""

    name: str
    channel: StepChannel
    last_event: dt.datetime
    """Events after this cannot open the step by the horizon in any time zone."""
    due: dt.datetime
    valid_until: dt.datetime
    status: TaskStatus
    """The step's status when nothing skips it: open, or stale when its validity passed."""
    reason: str | None
    in_horizon: bool


class _Slots:
    """Each step's slot per (zone, event's local date), worked out once (``bench/journeys.py``)."""

    def __init__(self, journey: Journey, as_of: dt.datetime, horizon: dt.datetime) -> None:
        self.steps, self.as_of, self.horizon = journey.steps, as_of, horizon
        self.known: dict[tuple[dt.tzinfo, dt.date], tuple[_Slot, ...]] = {}

    def of(self, zone: dt.tzinfo, event_at: dt.datetime) -> tuple[_Slot, ...]:
        """The slots of every step for an event at ``event_at`` of a customer in ``zone``."""
        key = (zone, event_at.astimezone(zone).date())
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = tuple(self._slot(step, *key) for step in self.steps)
        return found

    def _slot(self, step: Step, zone: dt.tzinfo, day0: dt.date) -> _Slot:
        due, valid_until = step_span(day0, zone, step.day, step.windows, step.valid_days)
        stale = valid_until <= self.as_of
        return _Slot(
            step.name,
            step.channel,
            self.horizon - DAY * (step.day - 1),
            due,
            valid_until,
            TaskStatus.STALE if stale else TaskStatus.OPEN,
            str(Skip.STALE) if stale else None,
            due <= self.horizon,
        )


class _Context(NamedTuple):
    """What else decides one event's steps: a later entry, the customer's exits and blocks."""

    later: dt.datetime | None
    exits: Exits | None
    blocks: Mapping[StepChannel, Skip | None]


def _event_steps(
    journey: Journey,
    event: Event,
    slots: tuple[_Slot, ...],
    skip: Skip | None,
    context: _Context,
) -> list[Planned]:
    """The steps of one entering event that open by the horizon, with their status."""
    out: list[Planned] = []
    plain = context.later is None and context.exits is None
    for slot in slots:
        if event.at > slot.last_event or not slot.in_horizon:
            continue
        reason = skip
        if reason is None and not plain:
            reason = _exit(journey, event, slot.due, context.later, context.exits)
        if reason is None:
            reason = context.blocks[slot.channel]
        status, why = (slot.status, slot.reason) if reason is None else (_SKIPPED, str(reason))
        out.append(
            Planned(
                journey.id,
                slot.name,
                event.id,
                event.customer_id,
                slot.due,
                slot.valid_until,
                status,
                why,
            )
        )
    return out


def _entries(
    journey: Journey,
    events: Sequence[Event],
    customer: Customer,
    rule: Callable[[Mapping[str, object], frozenset[str], dt.date], bool | None] | None,
) -> list[tuple[Event, Skip | None]]:
    """The events that enter the journey (rule true), with a re-entry skip where it applies."""
    if rule is None and len(events) == 1:  # most customers (bench/journeys.py)
        return [(events[0], None)]
    out: list[tuple[Event, Skip | None]] = []
    active_until: dt.datetime | None = None
    span = dt.timedelta(days=max(s.day for s in journey.steps) + 1)
    for event in events:
        if rule is not None:
            values = {**customer.attributes, **event.fields()}
            if rule(values, customer.holdings, event.at.date()) is not True:
                continue
        if (
            journey.reentry is Reentry.IGNORE
            and active_until is not None
            and event.at < active_until
        ):
            out.append((event, Skip.REENTRY_IGNORED))
            continue
        active_until = event.at + span
        out.append((event, None))
    return out


def _customer_skip(
    blocked: Skip | None, customer: Customer, held_out: Callable[[str], bool] | None
) -> Skip | None:
    if blocked is Skip.UNKNOWN_TIME_ZONE:
        return blocked
    if held_out is not None and held_out(customer.reach.customer_id):
        return Skip.HOLDOUT
    return None


def _exit(
    journey: Journey,
    event: Event,
    due: dt.datetime,
    later: dt.datetime | None,
    exits: Exits | None,
) -> Skip | None:
    """The exit that ended the journey between ``event`` and the step's opening."""
    if later is not None and later <= due and ExitOn.REPURCHASE in journey.exit_on:
        return Skip.EXIT_REPURCHASE
    if exits is None:  # most customers: no complaint, no opt-out (cheap checks first)
        return None
    if ExitOn.COMPLAINT in journey.exit_on and any(event.at <= c <= due for c in exits.complaints):
        return Skip.EXIT_COMPLAINT
    if (
        ExitOn.OPT_OUT in journey.exit_on
        and exits.opted_out_at is not None
        and exits.opted_out_at <= due
    ):
        return Skip.EXIT_OPT_OUT
    return None
