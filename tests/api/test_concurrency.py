"""Caps and idempotency hold with real concurrent clients against several server workers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from servesell.decide import Caps, ContactPolicy
from servesell.store import open_db, save_policy
from support.api import AT
from support.server import live_server

pytestmark = pytest.mark.slow


@pytest.fixture
def server(app_url: str, tokens: dict[str, str]):
    engine = open_db(app_url)
    with engine.begin() as conn:
        save_policy(conn, ContactPolicy(explore_share=0, caps=Caps(per_day=2)))
    engine.dispose()
    with live_server(app_url, workers=3) as base:
        yield base


def _post(base: str, token: str, path: str, body: dict) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.post(f"{base}{path}", json=body, headers=headers, timeout=60)


def _customer_with_offer(base: str, token: str) -> str:
    for i in range(1, 300):
        customer_id = f"C{i:07d}"
        body = {"customer_id": customer_id, "at": "2026-03-01T10:00:00+08:00"}
        if _post(base, token, "/v1/decisions", body).json()["offers"]:
            return customer_id
    raise AssertionError("no eligible customer")


def test_frequency_cap_is_exact_under_concurrent_decisions(server: str, tokens) -> None:
    token = tokens["agent"]
    customer_id = _customer_with_offer(server, token)
    body = {"customer_id": customer_id, "reason": "billing_inquiry", "at": AT}
    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(lambda _: _post(server, token, "/v1/decisions", body), range(40)))
    assert [r.status_code for r in responses] == [201] * 40
    made = sum(len(r.json()["offers"]) + len(r.json()["digital"]) for r in responses)
    assert made == 2


def test_outcome_is_recorded_once_under_concurrent_clicks(server: str, tokens) -> None:
    token = tokens["agent"]
    customer_id = _customer_with_offer(server, token)
    body = {"customer_id": customer_id, "at": AT}
    decision = _post(server, token, "/v1/decisions", body).json()
    outcome = {"offer_id": decision["offers"][0]["offer_id"], "result": "accepted"}
    path = f"/v1/decisions/{decision['decision_id']}/outcomes"
    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(lambda _: _post(server, token, path, outcome), range(30)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 29 + [201]
    assert sum(r.json()["created"] for r in responses) == 1
