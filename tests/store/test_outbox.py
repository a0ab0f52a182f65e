from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from servesell.channels.status import Status
from servesell.domain import Channel
from servesell.store.audit import list_audit
from servesell.store.db import write_transaction
from servesell.store.follow_ups import follow_ups_of, outbox_counts
from servesell.store.links import answer_link, find_link, record_link_event
from servesell.store.optouts import (
    customer_by_address,
    opted_out_channels,
    set_do_not_market,
    set_opt_out,
)
from servesell.store.outbox import claim, claim_unknown, enqueue
from servesell.store.receipts import Applied, apply_report
from servesell.store.settle import Transition, finish, recover_expired
from servesell.store.tables import outbox_events, outbox_messages
from support.outbox import AT, log_decision, message

LEASE = dt.timedelta(seconds=30)


@pytest.fixture
def logged(engine: Engine) -> Engine:
    with engine.begin() as conn:
        log_decision(conn)
    return engine


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(outbox_messages)).scalar_one())


def test_a_retried_enqueue_in_one_transaction_makes_one_message(logged: Engine) -> None:
    with logged.begin() as conn:
        assert enqueue(conn, message(), now=AT) is True
        assert enqueue(conn, message(), now=AT) is False
    with logged.begin() as conn:
        assert enqueue(conn, message(), now=AT) is False
    assert count(logged) == 1


def test_a_rolled_back_decision_leaves_no_message(logged: Engine) -> None:
    with pytest.raises(RuntimeError), logged.begin() as conn:  # noqa: PT012
        enqueue(conn, message(), now=AT, token_hash="a" * 64)
        raise RuntimeError("the decision's transaction failed")
    assert count(logged) == 0


def test_a_claim_takes_due_messages_once(logged: Engine) -> None:
    with logged.begin() as conn:
        enqueue(conn, message(), now=AT)
        enqueue(
            conn, message(offer_id="shown", channel=Channel.EMAIL), now=AT + dt.timedelta(hours=1)
        )
    with write_transaction(logged) as conn:
        first = claim(conn, owner="w1", now=AT, limit=10, lease=LEASE)
    with write_transaction(logged) as conn:
        second = claim(conn, owner="w2", now=AT, limit=10, lease=LEASE)
    assert [m.channel for m in first] == [Channel.SMS]
    assert [m.status for m in first] == [Status.SENDING]
    assert second == []


def test_concurrent_claims_take_disjoint_messages(logged: Engine) -> None:
    with logged.begin() as conn:
        for i in range(6):
            enqueue(conn, message(offer_id=f"o{i}"), now=AT)
    if logged.dialect.name == "sqlite":
        pytest.skip("SQLite serialises claimers with BEGIN IMMEDIATE; nothing can overlap")
    with logged.connect() as a, logged.connect() as b:
        ta, tb = a.begin(), b.begin()
        got_a = claim(a, owner="a", now=AT, limit=4, lease=LEASE)
        got_b = claim(b, owner="b", now=AT, limit=4, lease=LEASE)  # skips a's locked rows
        ta.commit()
        tb.commit()
    ids_a, ids_b = {m.id for m in got_a}, {m.id for m in got_b}
    assert len(ids_a) == 4
    assert len(ids_b) == 2
    assert not ids_a & ids_b


def test_finish_writes_only_what_the_worker_still_holds(logged: Engine) -> None:
    queued = message()
    with logged.begin() as conn:
        enqueue(conn, queued, now=AT)
    with write_transaction(logged) as conn:
        claim(conn, owner="w1", now=AT, limit=1, lease=LEASE)
    with logged.begin() as conn:
        apply_report(conn, queued.id, Status.DELIVERED, source="receipt", now=AT)
        done = Transition(queued.id, Status.SENT, provider_id="biz-1", sent_at=AT)
        assert finish(conn, "w1", Status.SENDING, [done], now=AT) == 0
        assert _status(conn, queued.id) == Status.DELIVERED


def test_an_expired_lease_turns_sending_into_unknown_not_queued(logged: Engine) -> None:
    queued = message()
    with logged.begin() as conn:
        enqueue(conn, queued, now=AT)
    with write_transaction(logged) as conn:
        claim(conn, owner="dead-worker", now=AT, limit=1, lease=LEASE)
    later = AT + LEASE + dt.timedelta(seconds=1)
    with logged.begin() as conn:
        assert recover_expired(conn, now=AT, check_after=AT) == 0
        assert recover_expired(conn, now=later, check_after=later) == 1
        assert _status(conn, queued.id) == Status.UNKNOWN
    with write_transaction(logged) as conn:
        assert claim(conn, owner="w2", now=later, limit=5, lease=LEASE) == []
        again = claim_unknown(conn, owner="w2", now=later, limit=5, lease=LEASE)
    assert [m.id for m in again] == [queued.id]


def test_receipts_apply_in_any_order_and_twice_without_going_back(logged: Engine) -> None:
    queued = message()
    with logged.begin() as conn:
        enqueue(conn, queued, now=AT)
        seen = [
            apply_report(conn, queued.id, reported, source="receipt", now=AT)
            for reported in (Status.DELIVERED, Status.SENT, Status.DELIVERED, Status.UNDELIVERED)
        ]
        assert seen == [Applied.CHANGED, Applied.IGNORED, Applied.IGNORED, Applied.IGNORED]
        assert _status(conn, queued.id) == Status.DELIVERED
        assert apply_report(conn, "nope", Status.SENT, source="receipt", now=AT) is (
            Applied.UNKNOWN_MESSAGE
        )
        history = conn.execute(
            select(outbox_events.c.status).where(outbox_events.c.message_id == queued.id)
        ).scalars()
        assert list(history) == ["queued", "delivered"]


def test_follow_ups_show_what_really_happened(logged: Engine) -> None:
    sms, mail = message(), message(offer_id="shown", channel=Channel.EMAIL)
    with logged.begin() as conn:
        enqueue(conn, sms, now=AT, token_hash="s" * 64)
        enqueue(conn, mail, now=AT, token_hash="m" * 64)
        apply_report(conn, sms.id, Status.DELIVERED, source="receipt", now=AT)
        record_link_event(conn, sms.id, "opened", AT)
        answer_link(conn, "s" * 64, "accepted", AT)
        shown = {f.channel: f.shown for f in follow_ups_of(conn, "d1")}
        assert shown == {Channel.SMS: "accepted", Channel.EMAIL: "queued"}
        assert outbox_counts(conn) == {Status.DELIVERED: 1, Status.QUEUED: 1}


def test_a_link_is_answered_once(logged: Engine) -> None:
    with logged.begin() as conn:
        enqueue(conn, message(), now=AT, token_hash="t" * 64)
        link = find_link(conn, "t" * 64)
        assert link is not None
        assert (link.decision_id, link.offer_id, link.channel) == ("d1", "sms_offer", Channel.SMS)
        assert answer_link(conn, "t" * 64, "accepted", AT) is True
        assert answer_link(conn, "t" * 64, "declined", AT) is False
        assert find_link(conn, "x" * 64) is None


def test_opting_out_is_kept_audited_and_found_by_phone(logged: Engine) -> None:
    with logged.begin() as conn:
        assert set_opt_out(conn, "C1", Channel.SMS, source="reply", actor="customer", at=AT)
        assert not set_opt_out(conn, "C1", Channel.SMS, source="reply", actor="customer", at=AT)
        assert set_do_not_market(conn, "C1", actor="customer", source="link")
        assert opted_out_channels(conn, "C1") == {Channel.SMS}
        assert customer_by_address(conn, Channel.SMS, "+8613800000000") == "C1"
        assert customer_by_address(conn, Channel.WECHAT, "13800000000") is None
        actions = [entry.action for entry in list_audit(conn)]
    assert actions == ["do_not_market", "opt_out"]


def _status(conn, message_id: str) -> Status:
    value = conn.execute(
        select(outbox_messages.c.status).where(outbox_messages.c.id == message_id)
    ).scalar_one()
    return Status(value)
