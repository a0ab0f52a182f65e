"""A running two-worker server learns from outcomes posted to it, in every worker, by itself."""

from __future__ import annotations

import time
from collections import Counter

import httpx
import pytest

from servesell.decide import ContactPolicy
from servesell.store import open_db, save_policy
from support.server import live_server

pytestmark = pytest.mark.slow


def _post(base: str, token: str, path: str, body: dict) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.post(f"{base}{path}", json=body, headers=headers, timeout=60)


def _beliefs(base: str, token: str, customer_id: str) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    params = {"customer_id": customer_id, "reason": "billing_inquiry"}
    response = httpx.get(f"{base}/v1/model/beliefs", params=params, headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def _per_worker(base: str, token: str, customer_id: str, offer_id: str, done) -> dict[int, float]:
    """Ask until two workers have answered with ``done(answer)`` true; their propensities."""
    seen: dict[int, float] = {}
    answer: dict = {}
    deadline = time.monotonic() + 60
    while len(seen) < 2 and time.monotonic() < deadline:
        answer = _beliefs(base, token, customer_id)
        if done(answer):
            belief = next(
                b
                for b in answer["beliefs"]
                if b["offer_id"] == offer_id and b["channel"] == "in_call"
            )
            seen[answer["process"]] = belief["propensity"]
        else:
            time.sleep(0.1)
    assert len(seen) == 2, f"only workers {sorted(seen)} answered in time; last {answer}"
    return seen


def test_both_workers_learn_from_posted_outcomes_without_any_command(
    app_url: str, tokens: dict[str, str]
) -> None:
    engine = open_db(app_url)
    with engine.begin() as conn:
        save_policy(conn, ContactPolicy(explore_share=0))
    engine.dispose()
    agent, supervisor = tokens["agent"], tokens["supervisor"]
    with live_server(app_url, workers=2) as base:
        made = []
        for i in range(1, 120):
            body = {"customer_id": f"C{i:07d}", "reason": "billing_inquiry"}  # now: no
            # digital send is old enough to expire as a *no* while the test runs
            decision = _post(base, agent, "/v1/decisions", body).json()
            if decision["offers"]:
                made.append((decision["decision_id"], decision["offers"][0]["offer_id"]))
        offer_id, _ = Counter(o for _, o in made).most_common(1)[0]
        target = "C0000001"
        before = _per_worker(base, supervisor, target, offer_id, lambda a: True)
        for decision_id, offered in made:
            outcome = {"offer_id": offered, "result": "accepted"}
            response = _post(base, agent, f"/v1/decisions/{decision_id}/outcomes", outcome)
            assert response.status_code == 201, response.text
        retried = _post(base, agent, f"/v1/decisions/{made[0][0]}/outcomes",
                        {"offer_id": made[0][1], "result": "accepted"})  # fmt: skip
        assert retried.status_code == 200
        after = _per_worker(
            base, supervisor, target, offer_id, lambda a: a["applied_seq"] == len(made)
        )
        status = httpx.get(
            f"{base}/v1/model/status",
            headers={"Authorization": f"Bearer {supervisor}"},
            timeout=60,
        ).json()
    assert len(made) >= 20
    assert all(p > max(before.values()) for p in after.values()), (before, after)
    assert len(set(after.values())) == 1  # the two copies agree exactly
    assert status["learned_outcomes"] == status["log_events"] == len(made)
    assert status["last_learned_at"] is not None
