"""Queueing follow-ups inside the decision's or the outcome's transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from servesell.channels.status import Status
from servesell.domain import Channel, Fate, Outcome, OutcomeResult
from servesell.service.outbox import enqueue_decline_follow_up, enqueue_follow_ups, token_hash
from servesell.store import record_outcome
from servesell.store.db import write_transaction
from servesell.store.links import find_link
from servesell.store.tables import link_tokens, outbox_messages
from support import channels as center
from support.channels import BASE_URL, MORNING


@pytest.fixture
def ready(engine: Engine) -> Engine:
    with engine.begin() as conn:
        center.set_up(conn)
    return engine


def messages(engine: Engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(outbox_messages).order_by(outbox_messages.c.created_at)).all()


def decide_and_queue(engine: Engine, decision_id: str = "d1", **kw) -> list:
    made = center.decision(decision_id, "C1", **kw)
    who = center.customer("C1")
    offers = {"bill_instalment": center.offer()}
    with write_transaction(engine) as conn:
        if decision_id not in _logged(conn):
            center.log(conn, made, who)
        return enqueue_follow_ups(conn, made, who, offers, base_url=BASE_URL, now=MORNING)


def _logged(conn) -> set[str]:
    from servesell.store.tables import decisions

    return set(conn.execute(select(decisions.c.id)).scalars())


def test_a_digital_candidate_is_queued_with_its_decision(ready: Engine) -> None:
    queued = decide_and_queue(ready)
    assert [(q.channel, q.status, q.created) for q in queued] == [
        (Channel.SMS, Status.QUEUED, True)
    ]
    (row,) = messages(ready)
    assert row.body.startswith(
        "【示例银行】张**您好，您本期账单3,000.00元，可分12期还款：https://bank.example.cn/o/"
    )
    assert row.body.endswith("回T退订")
    assert row.params["balance"] == "3,000.00"
    assert row.valid_until == MORNING + dt.timedelta(hours=48)


def test_a_retried_request_queues_nothing_new(ready: Engine) -> None:
    decide_and_queue(ready)
    again = decide_and_queue(ready)
    assert [q.created for q in again] == [False]
    assert len(messages(ready)) == 1


def test_a_failed_decision_transaction_leaves_no_message(ready: Engine) -> None:
    made, who = center.decision("d1", "C1"), center.customer("C1")
    with pytest.raises(RuntimeError), write_transaction(ready) as conn:  # noqa: PT012
        center.log(conn, made, who)
        enqueue_follow_ups(conn, made, who, {"bill_instalment": center.offer()}, base_url=BASE_URL)
        raise RuntimeError("the decision could not be logged")
    assert messages(ready) == []


def test_the_link_token_is_stored_hashed_and_expires_with_the_window(ready: Engine) -> None:
    decide_and_queue(ready)
    (row,) = messages(ready)
    token = row.link.rsplit("/", 1)[1]
    with ready.connect() as conn:
        stored = conn.execute(select(link_tokens.c.token_hash)).scalars().all()
        link = find_link(conn, token_hash(token))
    assert token not in stored
    assert link is not None
    assert link.expires_at == MORNING + dt.timedelta(days=7)


def test_a_profile_in_english_gets_the_english_sms(ready: Engine) -> None:
    made, who = center.decision("d1", "C9"), center.customer("C9", language="en", name="Li Wei")
    with write_transaction(ready) as conn:
        center.log(conn, made, who)
        enqueue_follow_ups(conn, made, who, {"bill_instalment": center.offer()}, base_url=BASE_URL)
    (row,) = messages(ready)
    assert "L* ***, your bill of 3,000.00 can be paid in 12 instalments" in row.body


def test_an_sms_over_its_segment_limit_is_stored_failed_with_the_reason(ready: Engine) -> None:
    made, who = center.decision("d1", "C2"), center.customer("C2", name="欧" * 60)
    with write_transaction(ready) as conn:
        center.log(conn, made, who)
        (queued,) = enqueue_follow_ups(
            conn, made, who, {"bill_instalment": center.offer()}, base_url=BASE_URL
        )
    assert queued.status is Status.FAILED
    assert queued.reason == "SMS too long: 3 segments > limit 2"


def test_a_decline_in_the_call_queues_its_follow_up_in_the_same_transaction(ready: Engine) -> None:
    made, who = (
        center.decision("d1", "C1", fate=Fate.SHOWN, channel=Channel.IN_CALL),
        center.customer("C1"),
    )
    with write_transaction(ready) as conn:
        center.log(conn, made, who)
    no = Outcome(
        "d1", "bill_instalment", OutcomeResult.DECLINED, MORNING, decline_reason="too_expensive"
    )
    with write_transaction(ready) as conn:
        record_outcome(conn, no)
        queued = enqueue_decline_follow_up(conn, no, base_url=BASE_URL, now=MORNING)
        again = enqueue_decline_follow_up(conn, no, base_url=BASE_URL, now=MORNING)
    assert queued is not None
    assert (queued.channel, queued.created) == (Channel.SMS, True)
    assert again is not None
    assert again.created is False
    assert len(messages(ready)) == 1


@pytest.mark.parametrize(
    ("result", "reason"),
    [(OutcomeResult.ACCEPTED, None), (OutcomeResult.DECLINED, "has_it_elsewhere")],
)
def test_no_follow_up_for_a_yes_or_a_decline_the_templates_skip(
    ready: Engine, result, reason
) -> None:
    made, who = (
        center.decision("d1", "C1", fate=Fate.SHOWN, channel=Channel.IN_CALL),
        center.customer("C1"),
    )
    with write_transaction(ready) as conn:
        center.log(conn, made, who)
        outcome = Outcome("d1", "bill_instalment", result, MORNING, decline_reason=reason)
        assert enqueue_decline_follow_up(conn, outcome, base_url=BASE_URL) is None


def test_without_templates_nothing_is_queued(engine: Engine) -> None:
    made, who = center.decision("d1", "C1"), center.customer("C1")
    with write_transaction(engine) as conn:
        center.save_schema(conn, center.SCHEMA)
        center.log(conn, made, who)
        assert (
            enqueue_follow_ups(
                conn, made, who, {"bill_instalment": center.offer()}, base_url=BASE_URL
            )
            == []
        )
        assert conn.execute(select(func.count()).select_from(outbox_messages)).scalar() == 0
