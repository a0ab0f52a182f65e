"""A synthetic membership brand (seeds/003): mothers who buy formula, and how they answer.

Customers carry a name, an IANA time zone (a few have none: they must never be called)
and a phone; each bought a can in the month before the start (captured through the
points on the can), some buy again, a few complain on the 400 hotline. How people
answer outbound calls depends on the local hour (:data:`ANSWER_BY_HOUR`, the truth the
call list must learn) and on the step: the day-25 call about the next can converts.
Every draw comes from ``random.Random(seed)``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from servesell.domain.customer import Customer
from servesell.journeys.dispositions import Disposition
from servesell.journeys.schedule import Event
from servesell.journeys.spec import EventKind

ZONES = ("Asia/Shanghai",) * 46 + ("Asia/Urumqi", "America/New_York", "Europe/London", "")
ANSWER_BY_HOUR = {10: 0.55, 11: 0.5, 14: 0.35, 15: 0.4, 16: 0.4, 17: 0.3, 18: 0.3, 19: 0.6}
"""Probability a mother answers by local hour (nap and cooking times are worse)."""
OUTCOMES = {
    "day3_feeding": (("satisfied", 0.8), ("feeding_issue", 0.2)),
    "day15_care": (("advice_given", 0.9), ("complaint", 0.1)),
    "day25_repurchase": (("will_rebuy", 0.45), ("undecided", 0.4), ("switching", 0.15)),
}


@dataclass(frozen=True, slots=True)
class Brand:
    """The generated world: customers and their events."""

    customers: list[Customer]
    events: list[Event]


def generate_brand(n: int, *, start: dt.date, seed: int) -> Brand:
    """``n`` customers, each with a purchase in the 30 days before ``start``."""
    rng = random.Random(seed)
    people: list[Customer] = []
    events: list[Event] = []
    origin = dt.datetime.combine(start, dt.time(0), tzinfo=dt.UTC)
    for i in range(n):
        cid = f"m{i:06d}"
        zone = rng.choice(ZONES)
        attributes = {"name": f"妈妈{i}", **({"timezone": zone} if zone else {})}
        people.append(Customer(cid, attributes, phone=f"+86139{i:08d}"))
        bought = origin - dt.timedelta(seconds=rng.uniform(0, 30 * 86400))
        events.append(Event(f"p-{cid}-1", cid, EventKind.PURCHASE, bought, "formula_s2", 298.0))
        events.append(Event(f"l-{cid}-1", cid, EventKind.LOYALTY, bought, None, None, 30))
        if rng.random() < 0.03:
            at = bought + dt.timedelta(days=rng.uniform(1, 20))
            events.append(Event(f"c-{cid}", cid, EventKind.COMPLAINT, at))
    return Brand(people, events)


def answer(rng: random.Random, local_hour: int, step: str) -> tuple[Disposition, str | None]:
    """How one call goes: the disposition and, when answered, the outcome of its purpose."""
    if rng.random() > ANSWER_BY_HOUR.get(local_hour, 0.2):
        return (Disposition.BUSY if rng.random() < 0.2 else Disposition.NO_ANSWER), None
    roll = rng.random()
    if roll < 0.02:
        return Disposition.WRONG_NUMBER, None
    if roll < 0.05:
        return Disposition.REFUSED, None
    if roll < 0.10:
        return Disposition.CALLBACK, None
    outcomes = OUTCOMES.get(step, (("done", 1.0),))
    pick = rng.random()
    for name, share in outcomes:
        if pick < share:
            return Disposition.ANSWERED, name
        pick -= share
    return Disposition.ANSWERED, outcomes[-1][0]
