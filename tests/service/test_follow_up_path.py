"""The call desk queues digital follow-ups with the decision and the decline, once each."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from servesell.decide import ContactPolicy
from servesell.domain import CallContext, Channel, Fate, Outcome, OutcomeResult
from servesell.service.engines import FixedEngine, build_engine
from servesell.service.outbox import LinkBase
from servesell.service.screen import CallDesk
from servesell.store import save_policy, upsert_customers, upsert_offers
from servesell.store.db import write_transaction
from servesell.store.optouts import set_opt_out
from servesell.store.tables import outbox_messages
from support import channels as center
from support.channels import BASE_URL, MORNING
from support.decide import make_engine

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def ready(engine: Engine) -> Engine:
    with engine.begin() as conn:
        center.set_up(conn)
        upsert_customers(conn, [center.customer(f"C{i}") for i in range(1, 4)])
        save_policy(conn, ContactPolicy(explore_share=0, cool_down_days_global=0))
    return engine


def desk_for(db: Engine, **offer: object) -> CallDesk:
    with db.begin() as conn:
        upsert_offers(conn, [center.offer(**offer)])
    with db.connect() as conn:
        engine = build_engine(conn, gate=make_engine([]).gate, seed=1, tz=SHANGHAI)
    return CallDesk(db, FixedEngine(engine), links=LinkBase(BASE_URL, SHANGHAI))


def pop(desk: CallDesk, customer_id: str, call: str = "call-1"):
    context = CallContext(at=MORNING, reason="billing_inquiry", agent_id="A1", call_id=call)
    return desk.screen_pop(customer_id, context, reuse=True)


def count(db: Engine) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(outbox_messages)).scalar_one())


def test_a_digital_decision_queues_its_message_once_even_when_the_pop_is_retried(
    ready: Engine,
) -> None:
    desk = desk_for(ready, channels=["sms"])
    first = pop(desk, "C1")
    assert [c.fate for c in first.decision.candidates] == [Fate.DIGITAL]
    assert [(m.channel, m.shown) for m in first.follow_ups] == [(Channel.SMS, "queued")]
    again = pop(desk, "C1")
    assert again.decision.id == first.decision.id
    assert [m.message_id for m in again.follow_ups] == [first.follow_ups[0].message_id]
    assert count(ready) == 1


def test_an_in_call_decline_queues_its_follow_up_once(ready: Engine) -> None:
    desk = desk_for(ready, channels=["in_call", "sms"], value=5000.0)
    shown = pop(desk, "C2")
    assert [c.fate for c in shown.decision.candidates] == [Fate.SHOWN]
    no = Outcome(shown.decision.id, "bill_instalment", OutcomeResult.DECLINED, MORNING)
    assert desk.record(no) is True
    assert desk.record(no) is False
    assert count(ready) == 1
    revisited = desk.revisit(shown.decision.id)
    assert [(m.offer_id, m.shown) for m in revisited.follow_ups] == [("bill_instalment", "queued")]


def test_an_opted_out_channel_is_never_chosen(ready: Engine) -> None:
    with write_transaction(ready) as conn:
        set_opt_out(conn, "C3", Channel.SMS, source="reply", actor="customer", at=MORNING)
    desk = desk_for(ready, channels=["sms", "email"])
    made = pop(desk, "C3").decision
    assert [(c.fate, c.channel) for c in made.candidates] == [(Fate.DIGITAL, Channel.EMAIL)]


def test_an_offer_accepted_through_its_link_counts_as_recently_accepted(ready: Engine) -> None:
    desk = desk_for(ready, channels=["in_call", "sms"], value=5000.0)
    shown = pop(desk, "C2", call="call-a")
    desk.record(Outcome(shown.decision.id, "bill_instalment", OutcomeResult.DECLINED, MORNING))
    later = MORNING + dt.timedelta(hours=2)
    desk.record(
        Outcome(shown.decision.id, "bill_instalment", OutcomeResult.ACCEPTED, later, Channel.SMS)
    )
    next_call = CallContext(at=later + dt.timedelta(days=3), reason="other", call_id="call-b")
    again = desk.screen_pop("C2", next_call)
    assert [c.reason for c in again.decision.candidates] == ["recently_accepted"]
