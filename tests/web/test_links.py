"""The offer page behind a tracked link: open, accept, decline, opt out, and bad tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from servesell.config import Settings
from servesell.domain import Channel, OutcomeResult
from servesell.server import create_app
from servesell.service.outbox import enqueue_follow_ups
from servesell.store import open_db, outcomes_of
from servesell.store.db import write_transaction
from servesell.store.follow_ups import follow_ups_of
from servesell.store.optouts import opted_out_channels
from servesell.store.tables import customers, link_tokens, outbox_messages
from support import channels as center
from support.channels import BASE_URL
from web.conftest import csrf_of

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def link_db(db_url: str) -> str:
    engine = open_db(db_url)
    made, who = center.decision("d1", "C1", at=NOW), center.customer("C1")
    with write_transaction(engine) as conn:
        center.set_up(conn)
        center.log(conn, made, who)
        enqueue_follow_ups(
            conn, made, who, {"bill_instalment": center.offer()}, base_url=BASE_URL, now=NOW
        )
    engine.dispose()
    return db_url


@pytest.fixture
def client(link_db: str) -> Iterator[TestClient]:
    app = create_app(Settings(db_url=link_db), seed=1)
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def token(link_db: str) -> str:
    engine = open_db(link_db)
    with engine.connect() as conn:
        link = conn.execute(select(outbox_messages.c.link)).scalar_one()
    engine.dispose()
    return link.rsplit("/", 1)[1]


def post(client: TestClient, path: str, page: str, **data: str):
    return client.post(path, data={"csrf_token": csrf_of(page), **data})


def state(db_url: str):
    engine = open_db(db_url)
    with engine.connect() as conn:
        found = (
            outcomes_of(conn, "d1"),
            follow_ups_of(conn, "d1")[0],
            opted_out_channels(conn, "C1"),
        )
        dnm = conn.execute(select(customers.c.do_not_market)).scalar_one()
    engine.dispose()
    return (*found, dnm)


def test_opening_shows_the_offer_in_chinese_and_records_the_open(client, token, link_db) -> None:
    page = client.get(f"/o/{token}", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert "账单分期" in page.text
    assert "我要办理" in page.text
    assert "Content-Security-Policy" in page.headers
    assert "<script" not in page.text
    assert "style=" not in page.text
    _, follow_up, _, _ = state(link_db)
    assert follow_up.shown == "opened"


def test_the_page_speaks_english_to_an_english_phone(client, token) -> None:
    page = client.get(f"/o/{token}", headers={"Accept-Language": "en-GB"})
    assert "Yes, I want this" in page.text


def test_accepting_is_an_outcome_on_the_original_decision(client, token, link_db) -> None:
    page = client.get(f"/o/{token}").text
    done = post(client, f"/o/{token}/accept", page)
    assert done.status_code == 200
    assert "Thank you" in done.text
    outcomes, follow_up, _, _ = state(link_db)
    assert [(o.result, o.channel) for o in outcomes] == [(OutcomeResult.ACCEPTED, Channel.SMS)]
    assert follow_up.shown == "accepted"


def test_a_link_takes_one_answer_only(client, token, link_db) -> None:
    page = client.get(f"/o/{token}").text
    post(client, f"/o/{token}/decline", page)
    again = post(client, f"/o/{token}/accept", page)
    assert again.status_code == 409
    assert "Already answered" in again.text
    outcomes, _, _, _ = state(link_db)
    assert [o.result for o in outcomes] == [OutcomeResult.DECLINED]


def test_opting_out_by_link_stops_the_channel_and_marketing_when_asked(
    client, token, link_db
) -> None:
    page = client.get(f"/o/{token}").text
    done = post(client, f"/o/{token}/optout", page, all_marketing="true")
    assert done.status_code == 200
    _, follow_up, channels, dnm = state(link_db)
    assert (follow_up.shown, channels, dnm) == ("opted_out", {Channel.SMS}, True)


@pytest.mark.parametrize(
    ("path", "code"),
    [("/o/not-a-token", 404), ("/o/" + "A" * 43, 404), ("/o/%3Cscript%3E", 404)],
)
def test_bogus_and_tampered_tokens_get_a_friendly_404(client, path: str, code: int) -> None:
    page = client.get(path)
    assert page.status_code == code
    assert "This link does not work" in page.text


def test_an_expired_link_gets_a_friendly_410(client, token, link_db) -> None:
    engine = open_db(link_db)
    with engine.begin() as conn:
        conn.execute(link_tokens.update().values(expires_at=NOW - dt.timedelta(seconds=1)))
    engine.dispose()
    assert client.get(f"/o/{token}").status_code == 410
    csrf = client.cookies.get("servesell_csrf")
    assert client.post(f"/o/{token}/accept", data={"csrf_token": csrf}).status_code == 410


def test_a_post_without_the_pages_token_is_refused(client, token, link_db) -> None:
    assert client.post(f"/o/{token}/accept", data={}).status_code == 403
    outcomes, _, _, _ = state(link_db)
    assert outcomes == []


def test_link_pages_are_rate_limited(client, token) -> None:
    codes = [client.get(f"/o/{token}").status_code for _ in range(31)]
    assert codes[:30] == [200] * 30
    assert codes[30] == 429
