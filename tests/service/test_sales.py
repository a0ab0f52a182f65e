"""Sales, revenue and commission: one definition, in-call and digital side by side, frozen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from servesell.domain import CallContext, Channel, Fate, Outcome, OutcomeResult
from servesell.service.catalog import save_offer
from servesell.service.engines import FixedEngine, build_engine
from servesell.service.kpis import kpis_by
from servesell.service.outcomes import record
from servesell.service.screen import CallDesk
from servesell.store import open_db, save_schema, upsert_customers, upsert_offers
from servesell.store.callbacks import open_callback_requests
from support.decide import SCHEMA, customer, make_engine, offer

AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # outside quiet hours
TZ = dt.UTC


@pytest.fixture
def center(any_db_url: str) -> Iterator[Engine]:
    db = open_db(any_db_url)
    with db.begin() as conn:
        save_schema(conn, SCHEMA)
        upsert_offers(conn, [offer("card", piece_rate=8.0, value=180.0)])
        upsert_offers(conn, [offer("sms_only", value=50.0, piece_rate=2.0, channels=["sms"])])
        upsert_customers(conn, [customer(f"C{i}") for i in range(1, 4)])
    yield db
    db.dispose()


def call(desk: CallDesk, customer_id: str, agent: str = "A1"):
    context = CallContext(at=AT, reason="billing_inquiry", agent_id=agent, call_id=customer_id)
    return desk.screen_pop(customer_id, context).decision


def desk_over(db: Engine) -> CallDesk:
    with db.connect() as conn:
        engine = build_engine(conn, gate=make_engine([]).gate, seed=1)
    return CallDesk(db, FixedEngine(engine))


def test_a_changed_piece_rate_leaves_past_commission_unchanged(center: Engine) -> None:
    desk = desk_over(center)
    decision = call(desk, "C1")
    assert [c.offer_id for c in decision.shown] == ["card"]
    record(center, Outcome(decision.id, "card", OutcomeResult.ACCEPTED, AT))
    with center.connect() as conn:
        before = kpis_by(conn, tz=TZ)["all"]
    save_offer(center, {**offer("card", piece_rate=50.0, value=180.0).model_dump()}, actor="t")
    with center.connect() as conn:
        after = kpis_by(conn, tz=TZ)["all"]
    assert before.commission == after.commission == 8.0


def test_digital_sales_count_in_sales_revenue_and_commission_alike(center: Engine) -> None:
    desk = desk_over(center)
    decision = call(desk, "C2")
    digital = [c for c in decision.candidates if c.fate is Fate.DIGITAL]
    assert [c.offer_id for c in digital] == ["sms_only"]
    record(center, Outcome(decision.id, "sms_only", OutcomeResult.ACCEPTED, AT, Channel.SMS))
    with center.connect() as conn:
        k = kpis_by(conn, tz=TZ)["all"]
    assert (k.accepted, k.digital_accepted, k.sales) == (0, 1, 1)
    assert (k.revenue_in_call, k.revenue_digital, k.revenue) == (0.0, 50.0, 50.0)
    assert (k.commission_in_call, k.commission_digital, k.commission) == (0.0, 2.0, 2.0)


def test_call_me_later_is_kept_once_as_a_callback_request(center: Engine) -> None:
    desk = desk_over(center)
    decision = call(desk, "C3", agent="A7")
    later = Outcome(decision.id, "card", OutcomeResult.DECLINED, AT, decline_reason="call_me_later")
    assert record(center, later) is True
    assert record(center, later) is False
    with center.connect() as conn:
        requests = open_callback_requests(conn, "C3")
    assert [(r.decision_id, r.offer_id, r.agent_id) for r in requests] == [
        (decision.id, "card", "A7")
    ]
