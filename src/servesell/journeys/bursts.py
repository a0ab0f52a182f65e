"""Planning a promotional burst: audience, hold-out, capacity, dates on the customer's clock.

Every customer the audience rule selects gets exactly one task row for the burst (its key
is the customer id): ``skipped`` / ``holdout`` for the campaign's control group (kept so
the burst can be measured against it), ``skipped`` with the contactability reason for
those who must not be contacted, ``skipped`` / ``over_capacity`` beyond ``size`` (chosen
by a stable draw, so a re-run keeps the same people), else ``open`` from the first window
of the first day to the end of the last window of the last day, in their own time zone.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from servesell.decide.control import control_draw
from servesell.journeys.contactability import Skip, who_blocks, zone_of
from servesell.journeys.schedule import Planned, TaskStatus
from servesell.journeys.windows import window_on

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from servesell.journeys.schedule import Customer
    from servesell.journeys.spec import Burst

STEP = "burst"


def plan_burst(
    burst: Burst,
    customers: Iterable[Customer],
    *,
    as_of: dt.datetime,
    held_out: Callable[[str], bool],
    rule: Callable[[Mapping[str, object], frozenset[str], dt.date], bool | None] | None = None,
) -> list[Planned]:
    """One planned task per selected customer (see the module docstring)."""
    chosen: list[tuple[float, Planned]] = []
    out: list[Planned] = []
    for customer in customers:
        if (
            rule is not None
            and rule(customer.attributes, customer.holdings, burst.starts) is not True
        ):
            continue
        cid = customer.reach.customer_id
        zone = zone_of(customer.reach.zone)
        due, until = _span(burst, zone or dt.UTC)
        skip = Skip.HOLDOUT if held_out(cid) else who_blocks(customer.reach, burst.channel)
        if skip is not None:
            out.append(_planned(burst, cid, (due, until), TaskStatus.SKIPPED, skip.value))
        elif until <= as_of:
            out.append(_planned(burst, cid, (due, until), TaskStatus.STALE, Skip.STALE.value))
        else:
            task = _planned(burst, cid, (due, until), TaskStatus.OPEN, None)
            chosen.append((control_draw(cid, f"{burst.id}:pick"), task))
    chosen.sort(key=lambda pair: pair[0])
    for rank, (_, task) in enumerate(chosen):
        over = rank >= burst.size
        out.append(
            task._replace(status=TaskStatus.SKIPPED, reason="over_capacity") if over else task
        )
    return out


def _span(burst: Burst, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    first = min(window_on(burst.starts, zone, w)[0] for w in burst.windows)
    last = max(window_on(burst.ends, zone, w)[1] for w in burst.windows)
    return first, last


def _planned(
    burst: Burst,
    customer_id: str,
    span: tuple[dt.datetime, dt.datetime],
    status: TaskStatus,
    reason: str | None,
) -> Planned:
    due, until = span
    return Planned(burst.id, STEP, customer_id, customer_id, due, until, status, reason)
