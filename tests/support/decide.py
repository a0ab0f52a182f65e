"""Builders for decision-engine tests: a small schema, offers, customers, an engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from servesell.decide import Catalog, ContactPolicy, Engine
from servesell.domain import CallContext, Customer, Offer, ProfileSchema
from servesell.queueing.gate import AlwaysGate

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)

SCHEMA = ProfileSchema.from_mapping(
    {"age": "int", "credit_limit": "float", "segment": "str", "opened_on": "date"}
)


def offer(offer_id: str = "o1", **kw: Any) -> Offer:
    base: dict[str, Any] = {
        "id": offer_id,
        "name": offer_id,
        "product": offer_id,
        "rule": "credit_limit >= 1000",
        "value": 100.0,
        "script": "Would you like {credit_limit}?",
        "extra_handle_seconds": 60,
        "prior_propensity": 0.1,
        "channels": ["in_call", "sms"],
    }
    base.update(kw)
    return Offer.model_validate(base)


def customer(customer_id: str = "C1", **kw: Any) -> Customer:
    attrs = {"age": 35, "credit_limit": 5000.0, "segment": "mass", "opened_on": dt.date(2020, 1, 1)}
    attrs.update(kw.pop("attributes", {}))
    kw.setdefault("phone", "13800000000")
    return Customer(customer_id, attrs, **kw)


def context(**kw: Any) -> CallContext:
    kw.setdefault("at", NOW)
    kw.setdefault("reason", "billing_inquiry")
    return CallContext(**kw)


def make_engine(offers: list[Offer], **kw: Any) -> Engine:
    kw.setdefault("policy", ContactPolicy(explore_share=0.0))
    kw.setdefault("gate", AlwaysGate(budget_seconds=600))
    return Engine(Catalog(offers, SCHEMA), **kw)
