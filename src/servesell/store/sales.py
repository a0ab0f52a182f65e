"""What became of a sale later: ``activated`` or ``cancelled`` (from the core systems).

An event must name a recorded sale (an accepted outcome of that decision and offer); the
same event twice is kept once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from servesell.domain.decision import OutcomeResult
from servesell.errors import OutcomeError
from servesell.store.tables import decisions, outcomes, sale_events

if TYPE_CHECKING:
    from sqlalchemy import Connection

KINDS = ("activated", "cancelled")


@dataclass(frozen=True, slots=True)
class Sale:
    """A sale with its frozen piece rate, the agent it is credited to, and when."""

    decision_id: str
    offer_id: str
    agent_id: str | None
    channel: str
    recorded_at: dt.datetime
    piece_rate: float


def record_sale_event(
    conn: Connection, decision_id: str, offer_id: str, kind: str, at: dt.datetime
) -> bool:
    """Keep a sale event; ``False`` when it was already kept. Raises for an unknown sale."""
    if kind not in KINDS:
        raise OutcomeError(f"sale event kind must be one of {', '.join(KINDS)}, got {kind!r}")
    sold = conn.execute(
        select(outcomes.c.id).where(
            outcomes.c.decision_id == decision_id,
            outcomes.c.offer_id == offer_id,
            outcomes.c.result == OutcomeResult.ACCEPTED.value,
        )
    ).first()
    if sold is None:
        raise OutcomeError(
            f"no sale of offer {offer_id!r} was recorded in decision {decision_id!r}"
        )
    row = {
        "decision_id": decision_id,
        "offer_id": offer_id,
        "kind": kind,
        "at": at,
        "recorded_at": dt.datetime.now(dt.UTC),
    }
    try:
        with conn.begin_nested():
            conn.execute(insert(sale_events), row)
    except IntegrityError:
        return False
    return True


def sales_of(conn: Connection, agent_id: str, since: dt.datetime, until: dt.datetime) -> list[Sale]:
    """Sales credited to ``agent_id`` recorded in [since, until), oldest first."""
    rows = conn.execute(
        select(outcomes, decisions.c.agent_id)
        .join(decisions, decisions.c.id == outcomes.c.decision_id)
        .where(
            decisions.c.agent_id == agent_id,
            outcomes.c.result == OutcomeResult.ACCEPTED.value,
            outcomes.c.recorded_at >= since,
            outcomes.c.recorded_at < until,
        )
        .order_by(outcomes.c.recorded_at, outcomes.c.id)
    )
    return [_sale(r) for r in rows]


def cancelled_of(
    conn: Connection, agent_id: str, since: dt.datetime, until: dt.datetime
) -> list[tuple[Sale, dt.datetime]]:
    """Sales of ``agent_id`` whose cancellation was *recorded* in [since, until), with its time."""
    rows = conn.execute(
        select(outcomes, decisions.c.agent_id, sale_events.c.at.label("cancelled_at"))
        .join(decisions, decisions.c.id == outcomes.c.decision_id)
        .join(
            sale_events,
            (sale_events.c.decision_id == outcomes.c.decision_id)
            & (sale_events.c.offer_id == outcomes.c.offer_id),
        )
        .where(
            decisions.c.agent_id == agent_id,
            outcomes.c.result == OutcomeResult.ACCEPTED.value,
            sale_events.c.kind == "cancelled",
            sale_events.c.recorded_at >= since,
            sale_events.c.recorded_at < until,
        )
        .order_by(sale_events.c.recorded_at)
    )
    return [(_sale(r), r.cancelled_at) for r in rows]


def _sale(row: object) -> Sale:
    r = row._mapping  # type: ignore[attr-defined]
    return Sale(
        r["decision_id"],
        r["offer_id"],
        r["agent_id"],
        r["channel"],
        r["recorded_at"],
        r["piece_rate"] or 0.0,
    )
