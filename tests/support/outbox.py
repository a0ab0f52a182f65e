"""Builders for outbox tests: a logged decision with digital candidates, and messages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from servesell.domain import (
    CallContext,
    Candidate,
    Channel,
    Customer,
    Decision,
    Fate,
    Mode,
    Scores,
)
from servesell.store import insert_decision, upsert_customers
from servesell.store.outbox import NewMessage

if TYPE_CHECKING:
    from sqlalchemy import Connection

AT = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
"""10:00 in Shanghai: outside the default quiet hours (21-8)."""


def decision(decision_id: str = "d1", customer_id: str = "C1", *, at: dt.datetime = AT) -> Decision:
    """A decision with one offer shown in the call and one routed to SMS."""
    scores = Scores(0.1, 100.0)
    return Decision(
        id=decision_id,
        customer_id=customer_id,
        made_at=at,
        context=CallContext(at=at, reason="billing_inquiry", agent_id="A1", call_id="call-1"),
        mode=Mode.SELL,
        budget_seconds=300,
        explored=False,
        candidates=(
            Candidate("shown", Fate.SHOWN, "best_priority", scores, Channel.IN_CALL, 0.95, 1),
            Candidate("sms_offer", Fate.DIGITAL, "digital_better_value", scores, Channel.SMS, 1.0),
        ),
    )


def log_decision(
    conn: Connection, decision_id: str = "d1", customer_id: str = "C1", **kw: Any
) -> Decision:
    """Insert the customer (with a phone) and the decision; returns the decision."""
    upsert_customers(conn, [Customer(customer_id, phone="13800000000", email="c@example.cn", **kw)])
    made = decision(decision_id, customer_id)
    insert_decision(conn, made)
    return made


def message(decision_id: str = "d1", offer_id: str = "sms_offer", **kw: Any) -> NewMessage:
    """A queued SMS for the decision's digital candidate."""
    base: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "decision_id": decision_id,
        "offer_id": offer_id,
        "channel": Channel.SMS,
        "customer_id": "C1",
        "address": "13800000000",
        "language": "zh",
        "body": "【示例银行】您好 回T退订",
        "valid_until": AT + dt.timedelta(days=7),
    }
    base.update(kw)
    return NewMessage(**base)
