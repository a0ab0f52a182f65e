"""Hand-over to specialists (T+N): book on a yes, record results, watch the funnel.

The agent books a hand-over of a customer's yes to a referral offer (one with a
``handover_team``) with a time slot; the specialist team records contact, completion or
loss in the web app, through the API or by CSV (``ingest.events`` kind
``handover-results``). The funnel and the overdue list are read here for the supervisor
page, the API and the demo; a completed referral pays the agent when it completes
(:mod:`servesell.service.pay`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.domain.handover import Handover, HandoverResult
from servesell.errors import FrontlineError
from servesell.report.funnel import Funnel, funnel_of, funnels_by, is_overdue
from servesell.store.db import write_transaction
from servesell.store.decisions import decision_owner
from servesell.store.handovers import (
    book_handover,
    list_handovers,
    record_result,
    referral_intents,
)
from servesell.store.offers import find_offer, list_offers
from servesell.store.outcomes import outcomes_of

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sqlalchemy import Connection
    from sqlalchemy import Engine as Database

OVERDUE_AFTER = dt.timedelta(hours=24)
"""A hand-over still open this long after its slot is flagged on the supervisor page."""


def book(
    db: Database,
    *,
    decision_id: str,
    offer_id: str,
    slot_at: dt.datetime,
    at: dt.datetime | None = None,
) -> Handover:
    """Book the hand-over of a yes to a referral offer (again: the one already booked)."""
    at = at or dt.datetime.now(dt.UTC)
    with write_transaction(db) as conn:
        return book_in(conn, decision_id=decision_id, offer_id=offer_id, slot_at=slot_at, at=at)


def book_in(
    conn: Connection, *, decision_id: str, offer_id: str, slot_at: dt.datetime, at: dt.datetime
) -> Handover:
    """:func:`book` inside the caller's write transaction (the demo's day)."""
    offer = find_offer(conn, offer_id)
    if offer is None or offer.handover_team is None:
        raise FrontlineError(f"offer {offer_id!r} is not a referral offer (no handover_team)")
    if not any(o.offer_id == offer_id and o.result.value == "accepted"
               for o in outcomes_of(conn, decision_id)):  # fmt: skip
        raise FrontlineError(
            f"decision {decision_id}: no yes to {offer_id!r} recorded; record it before booking"
        )
    if slot_at < at - dt.timedelta(minutes=5):
        raise FrontlineError(f"the slot {slot_at.isoformat()} is in the past")
    customer_id, agent_id = decision_owner(conn, decision_id)
    booking = Handover(None, decision_id, offer_id, customer_id, agent_id,
                       offer.handover_team, slot_at, at)  # fmt: skip
    return book_handover(conn, booking)


def report_result(db: Database, result: HandoverResult) -> bool:
    """A specialist's result; ``False`` when that result was already recorded."""
    with write_transaction(db) as conn:
        return record_result(conn, result)


@dataclass(frozen=True, slots=True)
class FunnelReport:
    """The T+N funnel overall and by agent, offer and specialist, with overdue hand-overs."""

    total: Funnel
    by_agent: tuple[Funnel, ...]
    by_offer: tuple[Funnel, ...]
    by_specialist: tuple[Funnel, ...]
    overdue: tuple[Handover, ...]


def funnel_report(
    conn: Connection,
    *,
    since: dt.datetime,
    until: dt.datetime,
    now: dt.datetime | None = None,
    overdue_after: dt.timedelta = OVERDUE_AFTER,
) -> FunnelReport:
    """The funnel of yeses to referral offers in decisions made in [since, until)."""
    now = now or dt.datetime.now(dt.UTC)
    referrals = {o.id: o.completion_days for o in list_offers(conn) if o.is_referral}
    intents = referral_intents(conn, list(referrals), since, until)
    keys = {(d, o) for d, o, _ in intents}
    booked = [h for h in list_handovers(conn, since=since) if (h.decision_id, h.offer_id) in keys]
    by_agent = Counter(a or "—" for _, _, a in intents)
    by_offer = Counter(o for _, o, _ in intents)

    def by(key: Callable[[Handover], str | None], counts: Mapping[str, int]) -> tuple[Funnel, ...]:
        found = funnels_by(key, counts, booked, referrals, now=now, overdue_after=overdue_after)
        return tuple(found)

    total = funnel_of("all", len(intents), booked, referrals, now=now, overdue_after=overdue_after)
    return FunnelReport(
        total=total,
        by_agent=by(lambda h: h.agent_id, by_agent),
        by_offer=by(lambda h: h.offer_id, by_offer),
        by_specialist=by(lambda h: h.specialist, {}),
        overdue=tuple(h for h in booked if is_overdue(h, now=now, overdue_after=overdue_after)),
    )


def overdue_handovers(
    conn: Connection, *, now: dt.datetime | None = None, overdue_after: dt.timedelta = OVERDUE_AFTER
) -> list[Handover]:
    """Every open hand-over waiting more than ``overdue_after`` past its slot, oldest first."""
    now = now or dt.datetime.now(dt.UTC)
    return [h for h in list_handovers(conn, open_only=True)
            if is_overdue(h, now=now, overdue_after=overdue_after)]  # fmt: skip
