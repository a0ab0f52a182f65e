from __future__ import annotations

import sqlite3
import threading
import time

from fastapi.testclient import TestClient

from servesell.store.db import sqlite_file
from support.api import auth, customer_with_offer, decide


def test_screen_pop_returns_offers_with_a_filled_script(client: TestClient, tokens) -> None:
    customer_id, body = customer_with_offer(client, tokens["agent"])
    offer = body["offers"][0]
    assert body["customer_id"] == customer_id
    assert body["mode"] == "sell"
    assert offer["script"]
    assert "{" not in offer["script"] or "}" not in offer["script"]
    assert body["candidates"] is None


def test_logged_decision_explains_every_candidate(client: TestClient, tokens) -> None:
    _, body = customer_with_offer(client, tokens["agent"])
    # the call is dated in the past: only a supervisor may still read it (agents: open calls)
    read = client.get(f"/v1/decisions/{body['decision_id']}", headers=auth(tokens["supervisor"]))
    assert read.status_code == 200
    candidates = read.json()["candidates"]
    assert {c["fate"] for c in candidates} >= {"shown"}
    assert all(c["why"] for c in candidates)
    offer_id = body["offers"][0]["offer_id"]
    why = client.get(
        f"/v1/decisions/{body['decision_id']}/why/{offer_id}", headers=auth(tokens["supervisor"])
    )
    assert "shown in the call" in why.json()["why"]


def test_outcome_is_idempotent_and_conflicts_are_409(client: TestClient, tokens) -> None:
    _, body = customer_with_offer(client, tokens["agent"])
    url = f"/v1/decisions/{body['decision_id']}/outcomes"
    outcome = {"offer_id": body["offers"][0]["offer_id"], "result": "accepted"}
    first = client.post(url, json=outcome, headers=auth(tokens["agent"]))
    again = client.post(url, json=outcome, headers=auth(tokens["agent"]))
    assert (first.status_code, first.json()["created"]) == (201, True)
    assert (again.status_code, again.json()["created"]) == (200, False)
    conflict = client.post(
        url, json={**outcome, "result": "declined"}, headers=auth(tokens["agent"])
    )
    assert conflict.status_code == 409
    assert "already recorded" in conflict.json()["detail"]


def test_outcome_for_unknown_decision_or_unshown_offer_is_rejected(
    client: TestClient, tokens
) -> None:
    headers = auth(tokens["agent"])
    missing = client.post(
        "/v1/decisions/nope/outcomes", json={"offer_id": "x", "result": "accepted"}, headers=headers
    )
    assert missing.status_code == 404
    _, body = customer_with_offer(client, tokens["agent"])
    not_shown = client.post(
        f"/v1/decisions/{body['decision_id']}/outcomes",
        json={"offer_id": "car_loan-does-not-exist", "result": "accepted"},
        headers=headers,
    )
    assert not_shown.status_code == 409


def test_unknown_customer_is_404(client: TestClient, tokens) -> None:
    response = decide(client, tokens["agent"], "C9999999")
    assert response.status_code == 404
    assert "unknown customer" in response.json()["detail"]


def _report(client: TestClient, token: str, waiting: int, at: str) -> str:
    state = {
        "calls_waiting": waiting,
        "agents_staffed": 20,
        "agents_available": 3 - min(3, waiting),
        "at": at,
    }
    put = client.put("/v1/queues/default/state", json=state, headers=auth(token))
    assert put.status_code == 200, put.text
    return put.json()["mode"]


def test_busy_queue_switches_to_serve_mode_and_back_after_the_hold(
    client: TestClient, tokens
) -> None:
    supervisor = tokens["supervisor"]
    gate = {"kind": "threshold", "max_waiting": 2, "hold_seconds": 30}
    assert client.put("/v1/gate", json=gate, headers=auth(supervisor)).status_code == 200
    assert _report(client, supervisor, 12, "2026-03-02T10:00:00+08:00") == "serve"
    response = decide(client, tokens["agent"], "C0000001")
    assert response.json()["mode"] == "serve"
    assert response.json()["offers"] == []
    # calm again: the 30 s hold keeps serving until the room has lasted
    assert _report(client, supervisor, 0, "2026-03-02T10:00:05+08:00") == "serve"
    assert _report(client, supervisor, 0, "2026-03-02T10:00:40+08:00") == "sell"
    mode = client.get("/v1/queues/default/mode", headers=auth(tokens["agent"]))
    assert mode.json()["mode"] == "sell"


def test_the_live_default_gate_is_the_guarded_valued_one_and_a_long_queue_is_diverted(
    client: TestClient, tokens
) -> None:
    gate = client.get("/v1/gate", headers=auth(tokens["supervisor"])).json()
    assert gate["kind"] == "valued_guarded"  # the default since gate19c (docs/simulation.md)
    state = {
        "calls_waiting": 9,
        "agents_staffed": 20,
        "agents_available": 0,
        "longest_wait_seconds": 45.0,
        "arrival_rate_per_hour": 500.0,
        "aht_seconds": 180.0,
        "at": "2026-03-02T10:00:00+08:00",
    }
    put = client.put("/v1/queues/default/state", json=state, headers=auth(tokens["supervisor"]))
    assert put.json()["mode"] == "serve"
    mode = client.get("/v1/queues/default/mode", headers=auth(tokens["agent"])).json()
    assert (mode["mode"], mode["divert"]) == ("serve", True)


def test_a_retried_screen_pop_with_the_same_call_id_returns_the_same_decision(
    client: TestClient, tokens
) -> None:
    body = {"customer_id": "C0000001", "call_id": "cti-retry-1"}
    headers = auth(tokens["agent"])
    first = client.post("/v1/decisions", json=body, headers=headers)
    again = client.post("/v1/decisions", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["decision_id"] == first.json()["decision_id"]


def test_a_decision_made_while_another_process_writes_waits_and_is_logged_the_same(
    client: TestClient, tokens, app_url: str
) -> None:
    """A decision waits for SQLite's write lock held by another process, then is logged.

    On PostgreSQL no lock is held here: the same answer either way.
    """
    first = decide(client, tokens["agent"], "C0000001", call_id="call-1").json()
    released: list[float] = []
    holder = _hold_the_write_lock(app_url, seconds=0.3, released=released)
    waited = decide(client, tokens["agent"], "C0000002", call_id="call-2")
    answered = time.monotonic()
    holder.join(timeout=30)
    if sqlite_file(app_url) is not None:
        assert released[0] <= answered  # it waited for the lock instead of failing
    again = decide(client, tokens["agent"], "C0000001", call_id="call-1")
    assert waited.status_code == 201, waited.text
    assert again.status_code == 200
    assert again.json()["decision_id"] == first["decision_id"]
    read = client.get(
        f"/v1/decisions/{waited.json()['decision_id']}", headers=auth(tokens["supervisor"])
    )
    assert read.status_code == 200


def _hold_the_write_lock(url: str, *, seconds: float, released: list[float]) -> threading.Thread:
    """Another connection (as another process would) holds SQLite's write lock a while."""
    path = sqlite_file(url)
    started = threading.Event()

    def hold() -> None:
        if path is None:
            started.set()
            return
        # it may wait for the app's own background writes (the model's first checkpoint)
        other = sqlite3.connect(path, timeout=30, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        started.set()
        time.sleep(seconds)
        released.append(time.monotonic())  # a decision answered after this waited
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    started.wait(timeout=30)
    return thread
