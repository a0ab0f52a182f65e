"""Provider callbacks: receipts and replies, authenticated, idempotent, order tolerant."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from servesell.channels.status import Status
from servesell.config import Settings
from servesell.domain import Channel
from servesell.server import create_app
from servesell.service.outbox import enqueue_follow_ups
from servesell.store import open_db
from servesell.store.db import write_transaction
from servesell.store.optouts import opted_out_channels
from servesell.store.tables import outbox_messages
from support import channels as center
from support.channels import BASE_URL, MORNING

SECRET = "receipt-secret-for-tests-0123456789"


@pytest.fixture
def receipt_db(any_db_url: str) -> str:
    engine = open_db(any_db_url)
    made, who = center.decision("d1", "C1"), center.customer("C1")
    with write_transaction(engine) as conn:
        center.set_up(conn)
        center.log(conn, made, who)
        enqueue_follow_ups(
            conn, made, who, {"bill_instalment": center.offer()}, base_url=BASE_URL, now=MORNING
        )
    engine.dispose()
    return any_db_url


@pytest.fixture
def client(receipt_db: str) -> Iterator[TestClient]:
    settings = Settings(db_url=receipt_db, receipt_secret=SecretStr(SECRET))
    with TestClient(create_app(settings, seed=1)) as test_client:
        yield test_client


def message_id(db_url: str) -> str:
    engine = open_db(db_url)
    with engine.connect() as conn:
        found = conn.execute(select(outbox_messages.c.id)).scalar_one()
    engine.dispose()
    return found


def status_of(db_url: str) -> Status:
    engine = open_db(db_url)
    with engine.connect() as conn:
        found = conn.execute(select(outbox_messages.c.status)).scalar_one()
    engine.dispose()
    return Status(found)


def signed(body: bytes) -> dict[str, str]:
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Servesell-Signature": f"sha256={digest}", "Content-Type": "application/json"}


def send(client: TestClient, items, *, channel: str = "sms", what: str = "receipts"):
    body = json.dumps(items).encode()
    return client.post(f"/v1/channels/{channel}/{what}", content=body, headers=signed(body))


def test_receipts_late_twice_and_out_of_order_end_delivered(client, receipt_db) -> None:
    mid = message_id(receipt_db)
    first = send(client, {"message_id": mid, "status": "delivered", "provider_id": "p1"})
    assert first.json() == {"changed": 1}
    again = send(
        client, [{"message_id": mid, "status": "delivered"}, {"message_id": mid, "status": "sent"}]
    )
    assert again.json() == {"ignored": 2}
    assert status_of(receipt_db) is Status.DELIVERED


def test_aliyun_receipts_authenticate_with_the_shared_secret(client, receipt_db) -> None:
    mid = message_id(receipt_db)
    report = [
        {"out_id": mid, "biz_id": "b1", "success": False, "err_code": "MK:0001", "err_msg": "空号"}
    ]
    answer = client.post(f"/v1/channels/sms/receipts?token={SECRET}", json=report)
    assert answer.status_code == 200
    assert answer.json() == {"changed": 1}
    assert status_of(receipt_db) is Status.UNDELIVERED


def test_a_receipt_for_an_unknown_message_is_counted_not_refused(client) -> None:
    assert send(client, {"message_id": "nope", "status": "sent"}).json() == {"unknown_message": 1}


def test_an_opt_out_reply_stops_the_channel(client, receipt_db) -> None:
    phone = center.customer("C1").phone
    answer = send(client, [{"phone_number": f"+86{phone}", "content": " 退订 "}], what="replies")
    assert answer.json() == {"opted_out": 1}
    engine = open_db(receipt_db)
    with engine.connect() as conn:
        assert opted_out_channels(conn, "C1") == {Channel.SMS}
    engine.dispose()


def test_an_ordinary_reply_changes_nothing(client) -> None:
    phone = center.customer("C1").phone
    assert send(client, [{"from": phone, "text": "好的谢谢"}], what="replies").json() == {
        "not_opt_out": 1
    }


def test_now_is_not_used_for_ordering(client, receipt_db) -> None:
    mid = message_id(receipt_db)
    send(client, {"message_id": mid, "status": "undelivered"})
    send(client, {"message_id": mid, "status": "delivered"})
    assert status_of(receipt_db) is Status.UNDELIVERED  # the first final word stands
    assert dt.datetime.now(dt.UTC) > MORNING
