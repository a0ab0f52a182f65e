"""Callback requests: a customer's "call me later" on an inbound decline, kept for a journey.

A request is stored once per decision and offer (recording the same decline twice keeps
one); the outbound journeys schedule open requests as call tasks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from servesell.store.tables import callback_requests

if TYPE_CHECKING:
    from sqlalchemy import Connection

OPEN = "open"


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """Who asked to be called back, on which call and offer, since when, and by when."""

    customer_id: str
    decision_id: str
    offer_id: str
    requested_at: dt.datetime
    agent_id: str | None = None
    due_at: dt.datetime | None = None
    status: str = OPEN


def request_callback(conn: Connection, request: CallbackRequest) -> bool:
    """Keep ``request``; ``False`` when this decision's offer already has one."""
    row = {
        "customer_id": request.customer_id,
        "decision_id": request.decision_id,
        "offer_id": request.offer_id,
        "agent_id": request.agent_id,
        "requested_at": request.requested_at,
        "due_at": request.due_at,
        "status": request.status,
    }
    try:
        with conn.begin_nested():
            conn.execute(insert(callback_requests), row)
    except IntegrityError:
        return False
    return True


def open_callback_requests(
    conn: Connection, customer_id: str | None = None
) -> list[CallbackRequest]:
    """Open callback requests (of one customer, when given), oldest first."""
    query = select(callback_requests).where(callback_requests.c.status == OPEN)
    if customer_id is not None:
        query = query.where(callback_requests.c.customer_id == customer_id)
    rows = conn.execute(query.order_by(callback_requests.c.id)).all()
    return [
        CallbackRequest(
            r.customer_id, r.decision_id, r.offer_id, r.requested_at, r.agent_id, r.due_at, r.status
        )
        for r in rows
    ]
