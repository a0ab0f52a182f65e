"""Hand-overs to specialist teams: booked once per decision and offer, then closed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from servesell.domain.handover import Handover, HandoverResult, HandoverStatus
from servesell.errors import FrontlineError, NotFoundError
from servesell.store.tables import decisions, handovers, outcomes

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Connection, Row

    from servesell.domain.offer import Offer


def book_handover(conn: Connection, handover: Handover) -> Handover:
    """Store a booking; the one already booked when this decision's offer has one."""
    row = {k: v for k, v in _row(handover).items() if k != "id"}
    try:
        with conn.begin_nested():
            new_id = conn.execute(insert(handovers).returning(handovers.c.id), row).scalar_one()
    except IntegrityError:
        c = handovers.c
        found = conn.execute(
            select(handovers).where(
                c.decision_id == handover.decision_id, c.offer_id == handover.offer_id
            )
        ).one()
        return _handover(found)
    return get_handover(conn, int(new_id))


def get_handover(conn: Connection, handover_id: int) -> Handover:
    """One hand-over; :class:`NotFoundError` when there is none with this id."""
    row = conn.execute(select(handovers).where(handovers.c.id == handover_id)).first()
    if row is None:
        raise NotFoundError("hand-over", str(handover_id))
    return _handover(row)


def handover_for(conn: Connection, decision_id: str, offer_id: str) -> Handover | None:
    """The hand-over booked for a decision's offer, if any."""
    c = handovers.c
    row = conn.execute(
        select(handovers).where(c.decision_id == decision_id, c.offer_id == offer_id)
    ).first()
    return _handover(row) if row else None


def list_handovers(
    conn: Connection,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    team: str | None = None,
    open_only: bool = False,
) -> list[Handover]:
    """Hand-overs booked in [since, until) (of one team; still open), oldest first."""
    c = handovers.c
    query = select(handovers).order_by(c.booked_at, c.id)
    if since is not None:
        query = query.where(c.booked_at >= since)
    if until is not None:
        query = query.where(c.booked_at < until)
    if team is not None:
        query = query.where(c.team == team)
    if open_only:
        query = query.where(
            c.status.in_([HandoverStatus.BOOKED.value, HandoverStatus.CONTACTED.value])
        )
    return [_handover(r) for r in conn.execute(query)]


def completed_referrals(
    conn: Connection, agent_id: str, since: dt.datetime, until: dt.datetime
) -> list[tuple[Handover, float]]:
    """An agent's hand-overs completed in [since, until), with their piece rate.

    The rate is the one frozen on the yes it came from (a referral pays when it completes).
    """
    c, o = handovers.c, outcomes.c
    rate = (
        select(func.max(o.piece_rate))
        .where(o.decision_id == c.decision_id, o.offer_id == c.offer_id, o.result == "accepted")
        .scalar_subquery()
    )
    query = select(handovers, rate.label("rate")).where(
        c.agent_id == agent_id,
        c.status == HandoverStatus.COMPLETED.value,
        c.closed_at >= since,
        c.closed_at < until,
    )
    return [(_handover(r), float(r.rate or 0.0)) for r in conn.execute(query.order_by(c.closed_at))]


def completed_in_time(
    conn: Connection, decision_ids: list[str], offers: Mapping[str, Offer]
) -> set[tuple[str, str]]:
    """(decision, offer) of the hand-overs of ``decision_ids`` completed within N days."""
    c = handovers.c
    query = select(handovers).where(
        c.decision_id.in_(decision_ids), c.status == HandoverStatus.COMPLETED.value
    )
    out = set()
    for row in conn.execute(query):
        h = _handover(row)
        offer = offers.get(h.offer_id)
        if offer is not None and h.completed_within(offer.completion_days):
            out.add((h.decision_id, h.offer_id))
    return out


def record_result(conn: Connection, result: HandoverResult) -> bool:
    """Apply a specialist's result; ``False`` when it was already recorded.

    :class:`FrontlineError` for an unknown hand-over or a step the hand-over cannot take.
    """
    try:
        current = get_handover(conn, result.handover_id)
    except NotFoundError as exc:
        raise FrontlineError(str(exc)) from None
    try:
        if not current.accepts(result):
            return False
    except ValueError as exc:
        raise FrontlineError(str(exc)) from None
    _apply(conn, result, first_contact=current.contacted_at is None)
    return True


def _apply(conn: Connection, result: HandoverResult, *, first_contact: bool) -> None:
    values: dict[str, Any] = {"status": result.status.value, "specialist": result.specialist}
    if result.note:
        values["note"] = result.note[:500]
    if result.status is HandoverStatus.CONTACTED:
        values["contacted_at"] = result.at
    else:
        values["closed_at"] = result.at
        if first_contact and result.status is HandoverStatus.COMPLETED:
            values["contacted_at"] = result.at  # completed implies the customer was reached
    conn.execute(update(handovers).where(handovers.c.id == result.handover_id), values)


def referral_intents(
    conn: Connection, offer_ids: list[str], since: dt.datetime, until: dt.datetime
) -> list[tuple[str, str, str | None]]:
    """Yeses to referral offers in decisions made in [since, until): (decision, offer, agent)."""
    if not offer_ids:
        return []
    d, o = decisions.c, outcomes.c
    query = (
        select(o.decision_id, o.offer_id, d.agent_id)
        .select_from(outcomes.join(decisions, d.id == o.decision_id))
        .where(
            o.offer_id.in_(offer_ids),
            o.result == "accepted",
            d.made_at >= since,
            d.made_at < until,
        )
        .distinct()
    )
    return [(r[0], r[1], r[2]) for r in conn.execute(query)]


def _row(h: Handover) -> dict[str, Any]:
    return {
        "id": h.id,
        "decision_id": h.decision_id,
        "offer_id": h.offer_id,
        "customer_id": h.customer_id,
        "agent_id": h.agent_id,
        "team": h.team,
        "slot_at": h.slot_at,
        "booked_at": h.booked_at,
        "status": h.status.value,
        "specialist": h.specialist,
        "contacted_at": h.contacted_at,
        "closed_at": h.closed_at,
        "note": h.note,
    }


def _handover(r: Row[Any]) -> Handover:
    return Handover(
        id=r.id,
        decision_id=r.decision_id,
        offer_id=r.offer_id,
        customer_id=r.customer_id,
        agent_id=r.agent_id,
        team=r.team,
        slot_at=r.slot_at,
        booked_at=r.booked_at,
        status=HandoverStatus(r.status),
        specialist=r.specialist,
        contacted_at=r.contacted_at,
        closed_at=r.closed_at,
        note=r.note,
    )
