"""The delivery worker against a real SMTP server and a local SMS provider."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select

from servesell.channels.adapters.aliyun import AliyunSms
from servesell.channels.adapters.smtp import Smtp
from servesell.channels.backoff import RetryPolicy
from servesell.channels.sinks import provider as fake
from servesell.channels.sinks.provider import ProviderState, running_provider
from servesell.channels.sinks.smtp import Mailbox, running_sink
from servesell.channels.status import Status
from servesell.domain import Channel
from servesell.service.delivery import Worker, WorkerSettings
from servesell.service.outbox import enqueue_follow_ups
from servesell.store.db import write_transaction
from servesell.store.optouts import set_opt_out
from servesell.store.tables import outbox_messages
from support import channels as center
from support.channels import BASE_URL, MORNING

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@dataclass
class Rig:
    engine: Engine
    sms: ProviderState
    mail: Mailbox
    now: list[dt.datetime]

    def worker(self, **kw) -> Worker:
        settings = WorkerSettings(
            batch=kw.pop("batch", 50),
            concurrency=4,
            lease_seconds=kw.pop("lease_seconds", 30),
            retry=kw.pop(
                "retry", RetryPolicy(base_seconds=60, max_attempts=3, reconcile_after_seconds=30)
            ),
            seed=1,
        )
        return Worker(
            self.engine, self.adapters, tz=SHANGHAI, settings=settings, clock=lambda: self.now[0]
        )

    def queue(
        self, decision_id: str, customer_id: str, channel: Channel = Channel.SMS, **attrs
    ) -> str:
        made = center.decision(decision_id, customer_id, channel=channel, at=self.now[0])
        who = center.customer(customer_id, **attrs)
        with write_transaction(self.engine) as conn:
            center.log(conn, made, who)
            (queued,) = enqueue_follow_ups(
                conn,
                made,
                who,
                {"bill_instalment": center.offer()},
                base_url=BASE_URL,
                now=self.now[0],
            )
        return queued.message_id

    def status(self, message_id: str) -> tuple[Status, str | None, int]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(outbox_messages).where(outbox_messages.c.id == message_id)
            ).one()
        return Status(row.status), row.last_error, row.attempts

    def phone(self, customer_id: str) -> str:
        return center.customer(customer_id).phone or ""

    def later(self, **delta: float) -> None:
        self.now[0] += dt.timedelta(**delta)


@pytest.fixture
def rig(engine: Engine) -> Iterator[Rig]:
    with engine.begin() as conn:
        center.set_up(conn)
    with running_provider() as (base, state), running_sink() as (port, box):
        state.hang_seconds = 1.0
        box.hang_seconds = 1.0
        made = Rig(engine, state, box, [MORNING])
        made.adapters = {
            Channel.SMS: AliyunSms(endpoint=f"{base}/aliyun", access_key_id=fake.KEY_ID,
                                   access_key_secret=fake.KEY_SECRET, sign_name="示例银行",
                                   timeout=0.5),
            Channel.EMAIL: Smtp(host="127.0.0.1", port=port, sender="bank@example.cn",
                                starttls=False, timeout=0.5),
        }  # fmt: skip
        yield made
        for adapter in made.adapters.values():
            adapter.close()


def test_due_messages_go_out_on_sms_and_email(rig: Rig) -> None:
    sms, mail = rig.queue("d1", "C1"), rig.queue("d2", "C2", Channel.EMAIL)
    worker = rig.worker()
    worker.drain()
    worker.close()
    assert rig.status(sms)[0] is Status.SENT
    assert rig.status(mail)[0] is Status.SENT
    assert rig.sms.accepted[sms]["params"] is not None
    assert list(rig.mail.messages) == [f"<{mail}@servesell>"]


def test_a_message_due_in_quiet_hours_waits_for_the_morning(rig: Rig) -> None:
    rig.now[0] = dt.datetime(2026, 3, 2, 22, 30, tzinfo=SHANGHAI)
    message = rig.queue("d1", "C1")
    worker = rig.worker()
    worker.drain()
    assert rig.status(message)[:2] == (Status.QUEUED, "quiet_hours")
    rig.now[0] = dt.datetime(2026, 3, 3, 8, 0, tzinfo=SHANGHAI)
    worker.drain()
    worker.close()
    assert rig.status(message)[0] is Status.SENT


def test_quiet_hours_are_the_customers_own(rig: Rig) -> None:
    rig.now[0] = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # 21:00 in New York
    away = rig.queue("d1", "C1", timezone="America/New_York")
    home = rig.queue("d2", "C2")
    worker = rig.worker()
    worker.drain()
    worker.close()
    assert rig.status(away)[:2] == (Status.QUEUED, "quiet_hours")
    assert rig.status(home)[0] is Status.SENT


def test_an_unreadable_time_zone_means_not_sent(rig: Rig) -> None:
    message = rig.queue("d1", "C1", timezone="Mars/Olympus_Mons")
    worker = rig.worker()
    worker.drain()
    worker.close()
    assert rig.status(message)[:2] == (Status.SUPPRESSED, "invalid_time_zone")
    assert rig.sms.requests == 0


def test_an_opt_out_after_queueing_is_honoured_at_send_time(rig: Rig) -> None:
    message = rig.queue("d1", "C1")
    with rig.engine.begin() as conn:
        set_opt_out(conn, "C1", Channel.SMS, source="reply", actor="customer", at=MORNING)
    worker = rig.worker()
    worker.drain()
    worker.close()
    assert rig.status(message)[:2] == (Status.SUPPRESSED, "opted_out")


def test_throttling_retries_with_backoff_then_dead_letters(rig: Rig) -> None:
    message = rig.queue("d1", "C1")
    rig.sms.behaviour[rig.phone("C1")] = "throttle"
    worker = rig.worker()
    for _ in range(3):
        worker.drain()
        rig.later(hours=1)
    worker.close()
    status, reason, attempts = rig.status(message)
    assert (status, attempts) == (Status.DEAD, 3)
    assert "isv.BUSINESS_LIMIT_CONTROL" in (reason or "")


def test_a_refused_number_fails_without_retrying(rig: Rig) -> None:
    message = rig.queue("d1", "C1")
    rig.sms.behaviour[rig.phone("C1")] = "reject"
    worker = rig.worker()
    worker.drain()
    worker.close()
    assert rig.status(message)[:1] == (Status.FAILED,)
    assert rig.status(message)[2] == 1


def test_a_timeout_is_reconciled_by_lookup_and_never_resent(rig: Rig) -> None:
    message = rig.queue("d1", "C1")
    rig.sms.behaviour[rig.phone("C1")] = "timeout"
    worker = rig.worker()
    worker.drain()
    assert rig.status(message)[0] is Status.UNKNOWN
    rig.later(seconds=31)
    worker.drain()
    worker.close()
    assert rig.status(message)[0] is Status.DELIVERED
    assert (rig.sms.requests, rig.sms.duplicates) == (1, 0)


def test_garbage_from_the_provider_is_unknown_then_reconciled(rig: Rig) -> None:
    message = rig.queue("d1", "C1")
    rig.sms.behaviour[rig.phone("C1")] = "garbage"
    worker = rig.worker()
    worker.drain()
    assert rig.status(message)[0] is Status.UNKNOWN
    rig.later(seconds=31)
    worker.drain()
    worker.close()
    assert rig.status(message)[0] is Status.DELIVERED
    assert rig.sms.duplicates == 0


def test_an_email_timeout_stays_unknown_rather_than_being_resent(rig: Rig) -> None:
    message = rig.queue("d1", "C1", Channel.EMAIL)
    with rig.engine.begin() as conn:
        conn.execute(outbox_messages.update().values(address="slow@example.cn"))
    worker = rig.worker()
    worker.drain()
    rig.later(days=3)  # past its validity: SMTP cannot be asked, so it is left unknown
    worker.drain()
    worker.close()
    assert rig.status(message)[:2] == (
        Status.UNKNOWN,
        "no receipt and the provider cannot say; left unknown",
    )
    assert len(rig.mail.messages) == 1


def test_a_message_that_cannot_go_within_its_validity_expires(rig: Rig) -> None:
    message = rig.queue("d1", "C1")
    rig.later(hours=49)
    worker = rig.worker()
    worker.drain()
    worker.close()
    assert rig.status(message)[:2] == (Status.EXPIRED, "validity_passed")


def test_the_weekly_channel_cap_is_checked_at_send_time(rig: Rig) -> None:
    sent = [
        rig.queue(
            f"d{i}",
            "C1",
        )
        for i in range(3)
    ]  # the default cap is 2 SMS a week
    worker = rig.worker()
    worker.drain()
    worker.close()
    statuses = sorted(rig.status(m)[0].value for m in sent)
    assert statuses == ["expired", "sent", "sent"]


def test_two_workers_never_send_one_message_twice(rig: Rig) -> None:
    ids = [rig.queue(f"d{i}", f"C{i}") for i in range(60)]
    workers = [rig.worker(batch=7), rig.worker(batch=7)]
    threads = [threading.Thread(target=w.drain) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w in workers:
        w.close()
    assert {rig.status(m)[0] for m in ids} == {Status.SENT}
    assert (len(rig.sms.accepted), rig.sms.duplicates) == (60, 0)
