"""A small center set up for follow-ups: schema, offers, templates, customers, decisions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from servesell.channels.template_check import parse_templates
from servesell.domain import (
    CallContext,
    Candidate,
    Channel,
    Customer,
    Decision,
    Fate,
    Mode,
    Offer,
    ProfileSchema,
    Scores,
)
from servesell.store import insert_decision, save_schema, upsert_customers, upsert_offers

__all__ = ["save_schema"]
from servesell.store.channel_templates import save_templates

if TYPE_CHECKING:
    from sqlalchemy import Connection

BASE_URL = "https://bank.example.cn"
MORNING = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
"""10:00 in Shanghai, a Monday."""

SCHEMA = ProfileSchema.from_mapping(
    {"name": "str", "balance": "float", "timezone": "str", "language": "str"}
)

TEMPLATES = """\
sign_name: 示例银行
max_segments: 2
link_days: 7
templates:
  - offer: bill_instalment
    channel: sms
    language: zh
    template: SMS_0001
    body: "{{ masked_name }}您好，您本期账单{{ balance | money }}元，可分12期还款：{{ link }}"
  - offer: bill_instalment
    channel: sms
    language: en
    template: SMS_0002
    max_segments: 3
    body: >-
      {{ masked_name }}, your bill of {{ balance | money }} can be paid in 12 instalments:
      {{ link }}
  - offer: bill_instalment
    channel: email
    language: zh
    subject: "{{ offer_name }}：您的账单"
    body: |
      {{ masked_name }}您好：
      您本期账单{{ balance | money }}元，可分12期还款。
      办理：{{ link }}（{{ valid_until }}前有效）
  - offer: bill_instalment
    channel: wechat
    language: zh
    purpose: bill_notice
    template: TPL_BILL
    fields:
      first: "{{ masked_name }}您好，您的信用卡账单已出"
      keyword1: "{{ balance | money }}元"
      remark: "点击查看账单与分期"
"""


def offer(offer_id: str = "bill_instalment", **kw: Any) -> Offer:
    """An offer that can go in the call and on every digital channel."""
    base: dict[str, Any] = {
        "id": offer_id,
        "name": "账单分期",
        "product": offer_id,
        "rule": "balance >= 0",
        "value": 180.0,
        "script": "您本期账单可以分期。",
        "extra_handle_seconds": 60,
        "channels": ["in_call", "sms", "email", "wechat"],
    }
    base.update(kw)
    return Offer.model_validate(base)


def customer(customer_id: str = "C1", **attributes: Any) -> Customer:
    """A reachable customer on every channel, in Shanghai unless told otherwise."""
    attrs: dict[str, Any] = {
        "name": "张三丰",
        "balance": 3000.0,
        "timezone": None,
        "language": "zh",
    }
    attrs.update(attributes)
    return Customer(
        customer_id,
        attrs,
        phone=f"138{abs(hash(customer_id)) % 10**8:08d}",
        email=f"{customer_id.lower()}@example.cn",
        wechat_openid=f"o-{customer_id}",
    )


def set_up(conn: Connection, *, templates: str = TEMPLATES) -> None:
    """Schema, the offer and the templates."""
    save_schema(conn, SCHEMA)
    upsert_offers(conn, [offer()])
    checked = parse_templates(
        templates,
        source="t.yaml",
        schema=SCHEMA,
        base_url=BASE_URL,
        offers={"bill_instalment": offer()},
    )
    save_templates(conn, checked)


def decision(
    decision_id: str,
    customer_id: str,
    *,
    fate: Fate = Fate.DIGITAL,
    channel: Channel = Channel.SMS,
    at: dt.datetime = MORNING,
) -> Decision:
    """A decision that routed ``bill_instalment`` to ``channel`` (or showed it)."""
    return Decision(
        id=decision_id,
        customer_id=customer_id,
        made_at=at,
        context=CallContext(
            at=at, reason="billing_inquiry", agent_id="A1", call_id=f"call-{decision_id}"
        ),
        mode=Mode.SELL,
        budget_seconds=300,
        explored=False,
        candidates=(
            Candidate(
                "bill_instalment", fate, "digital_better_value", Scores(0.1, 180.0), channel, 1.0
            ),
        ),
    )


def log(conn: Connection, made: Decision, who: Customer) -> None:
    """Store the customer and the decision."""
    upsert_customers(conn, [who])
    insert_decision(conn, made)


def outbox_link() -> Any:
    """A query for the one queued message's link."""
    from sqlalchemy import select

    from servesell.store.tables import outbox_messages

    return select(outbox_messages.c.link)
