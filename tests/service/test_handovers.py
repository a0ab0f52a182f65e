"""Hand-overs on both databases: booked once, closed once, the funnel and the pay from them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from servesell.domain import CallContext, Outcome, OutcomeResult
from servesell.domain.handover import HandoverResult, HandoverStatus
from servesell.errors import FrontlineError
from servesell.service.engines import FixedEngine, build_engine
from servesell.service.handovers import book, funnel_report, overdue_handovers, report_result
from servesell.service.outcomes import record
from servesell.service.pay import pay_statement
from servesell.service.screen import CallDesk
from servesell.store import list_offers, open_db, save_schema, upsert_customers, upsert_offers
from servesell.store.handovers import completed_in_time
from support.decide import SCHEMA, customer, make_engine, offer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy import Engine

AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def center(any_db_url: str) -> Iterator[Engine]:
    db = open_db(any_db_url)
    loan = offer("loan", piece_rate=30.0, handover_team="auto_finance", completion_days=10)
    with db.begin() as conn:
        save_schema(conn, SCHEMA)
        upsert_offers(conn, [loan])
        upsert_customers(conn, [customer(f"C{i}") for i in range(1, 4)])
    yield db
    db.dispose()


def _yes(db: Engine, customer_id: str) -> str:
    with db.connect() as conn:
        engine = build_engine(conn, gate=make_engine([]).gate, seed=1)
    desk = CallDesk(db, FixedEngine(engine))
    context = CallContext(at=AT, reason="billing_inquiry", agent_id="A1", call_id=customer_id)
    decision = desk.screen_pop(customer_id, context).decision
    record(db, Outcome(decision.id, "loan", OutcomeResult.ACCEPTED, AT))
    return decision.id


def test_a_handover_is_booked_once_and_closed_once(center: Engine) -> None:
    decision_id = _yes(center, "C1")
    slot = AT + dt.timedelta(hours=4)
    first = book(center, decision_id=decision_id, offer_id="loan", slot_at=slot, at=AT)
    again = book(center, decision_id=decision_id, offer_id="loan", slot_at=slot, at=AT)
    assert first.id == again.id
    assert first.team == "auto_finance"
    done = HandoverResult(first.id or 0, HandoverStatus.COMPLETED, AT + dt.timedelta(days=3), "s1")
    assert report_result(center, done) is True
    assert report_result(center, done) is False
    lost = HandoverResult(first.id or 0, HandoverStatus.LOST, AT + dt.timedelta(days=4), "s1")
    with pytest.raises(FrontlineError, match="already completed"):
        report_result(center, lost)

    now = AT + dt.timedelta(days=20)
    with center.connect() as conn:
        report = funnel_report(conn, since=AT - dt.timedelta(days=1), until=now, now=now)
        paid = pay_statement(conn, "A1", since=AT, until=now, tz=dt.UTC)
        offers = {o.id: o for o in list_offers(conn)}
        converted = completed_in_time(conn, [decision_id], offers)  # campaign conversion
    assert converted == {(decision_id, "loan")}
    assert [s.count for s in report.total.steps] == [1, 1, 1, 1]
    assert [f.key for f in report.by_specialist] == ["s1"]
    assert [(line.what, line.amount) for line in paid.lines] == [
        ("loan (referral completed)", 30.0)
    ]


def test_an_unworked_handover_is_overdue_and_drops_out_of_the_funnel(center: Engine) -> None:
    decision_id = _yes(center, "C2")
    book(center, decision_id=decision_id, offer_id="loan", slot_at=AT + dt.timedelta(hours=2),
         at=AT)  # fmt: skip
    now = AT + dt.timedelta(days=2)
    with center.connect() as conn:
        assert len(overdue_handovers(conn, now=now)) == 1
        report = funnel_report(conn, since=AT - dt.timedelta(days=1), until=now, now=now)
    assert [(s.step, s.count, s.dropped) for s in report.total.steps] == [
        ("intent", 1, 0), ("booked", 1, 0), ("contacted", 0, 1), ("completed", 0, 0)
    ]  # fmt: skip
    assert report.total.overdue == 1


def test_booking_needs_a_yes_and_a_future_slot(center: Engine) -> None:
    decision_id = _yes(center, "C3")
    with pytest.raises(FrontlineError, match="in the past"):
        book(center, decision_id=decision_id, offer_id="loan", slot_at=AT - dt.timedelta(days=1),
             at=AT)  # fmt: skip
