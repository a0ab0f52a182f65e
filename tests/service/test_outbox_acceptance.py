"""Acceptance: 2,000 SMS, the worker killed with SIGKILL mid-batch and restarted.

Every message must reach the provider exactly once (it dedupes by our ``OutId`` and counts
repeats: 0), every message must end sent or delivered, and the messages the dead worker
left ambiguous must be counted and reconciled (none left ``unknown``). Receipts come back
through the real API, late and twice.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest
from sqlalchemy import Engine, func, select

from servesell.channels.sinks import provider as fake
from servesell.channels.sinks.provider import running_provider
from servesell.channels.status import Status
from servesell.decide import ContactPolicy
from servesell.domain import Channel
from servesell.store import insert_decision, open_db, save_policy, upsert_customers
from servesell.store.db import write_transaction
from servesell.store.outbox import NewMessage, enqueue
from servesell.store.tables import outbox_events, outbox_messages
from support import channels as center
from support.server import live_server

MESSAGES = 2000
SECRET = "acceptance-receipt-secret-0123456789"
pytestmark = pytest.mark.slow


def fill(engine: Engine, now: dt.datetime) -> list[str]:
    """2,000 customers, each with a decision and one queued SMS."""
    people = [center.customer(f"K{i:05d}") for i in range(MESSAGES)]
    with write_transaction(engine) as conn:
        center.set_up(conn)
        save_policy(conn, ContactPolicy(quiet_hours=(0, 0), channel_caps_per_week={}))
        upsert_customers(conn, people)
        for who in people:
            made = center.decision(f"d-{who.id}", who.id, at=now)
            insert_decision(conn, made)
            message = NewMessage(
                id=uuid.uuid4().hex, decision_id=made.id, offer_id="bill_instalment",
                channel=Channel.SMS, customer_id=who.id, address=who.phone or "",
                language="zh", body="【示例银行】您的账单已出 回T退订", template="SMS_0001",
                params={"balance": "3,000.00"}, valid_until=now + dt.timedelta(hours=48),
            )  # fmt: skip
            enqueue(conn, message, now=now)
    return [who.phone or "" for who in people]


def worker(db_url: str, base: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SERVESELL_SMS_PROVIDER": "aliyun",
        "SERVESELL_SMS_ENDPOINT": f"{base}/aliyun",
        "SERVESELL_SMS_ACCESS_KEY_ID": fake.KEY_ID,
        "SERVESELL_SMS_ACCESS_KEY_SECRET": fake.KEY_SECRET,
        "SERVESELL_SMS_SIGN_NAME": "示例银行",
        "SERVESELL_CHANNEL_TIMEOUT_SECONDS": "0.5",
        "PYTHONWARNINGS": "ignore",
    }
    cmd = [sys.executable, "-m", "servesell.cli", "outbox", "run", "--db", db_url,
           "--batch", "100", "--concurrency", "8", "--lease-seconds", "3",
           "--reconcile-after", "2"]  # fmt: skip
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def statuses(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(outbox_messages.c.status, func.count()).group_by(outbox_messages.c.status)
        )
        return Counter({status: int(n) for status, n in rows})


def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = open_db(db_url)
    phones = fill(engine, dt.datetime.now(dt.UTC))
    monkeypatch.setenv("SERVESELL_RECEIPT_SECRET", SECRET)
    with live_server(db_url, workers=1) as api, running_provider() as (base, provider):
        provider.behaviour.update(
            dict.fromkeys(phones[::40], "timeout")
        )  # 50 hang past the timeout
        provider.hang_seconds = 1.5
        provider.receipt_url = f"{api}/v1/channels/sms/receipts?token={SECRET}"
        provider.receipt_mode = "twice"
        first = worker(db_url, base)
        deadline = time.monotonic() + 120
        while provider.requests < MESSAGES // 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)  # mid-batch: claimed rows are left 'sending'
        first.wait()
        killed_at = provider.requests
        second = worker(db_url, base)
        while time.monotonic() < deadline:
            counts = statuses(engine)
            if counts[Status.DELIVERED] == MESSAGES:
                break
            time.sleep(0.5)
        second.send_signal(signal.SIGINT)
        second.wait(timeout=30)
        time.sleep(1.0)
    counts = statuses(engine)
    with engine.connect() as conn:
        went_unknown = conn.execute(
            select(func.count(func.distinct(outbox_events.c.message_id))).where(
                outbox_events.c.status == Status.UNKNOWN.value
            )
        ).scalar_one()
    engine.dispose()
    print(
        f"killed after {killed_at} requests; {went_unknown} messages went unknown; {dict(counts)}"
    )
    assert 0 < killed_at < MESSAGES
    assert len(provider.accepted) == MESSAGES  # every message reached the provider
    assert provider.duplicates == 0  # and none of them twice
    assert counts == Counter({Status.DELIVERED.value: MESSAGES})  # nothing lost, nothing unknown
    assert went_unknown >= 50  # the hanging ones, plus what the dead worker held
