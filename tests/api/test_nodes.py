"""Several ``servesell serve`` nodes on one PostgreSQL behave as one service.

Two server processes on different ports share one database, each with a small connection
pool (set through ``SERVESELL_DB_POOL_SIZE``): concurrent clients spread over both nodes
cannot break a frequency cap or record an outcome twice, and a catalog or gate change
made through one node is in force on the other within the runtime's re-check interval.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from servesell.config import Settings
from servesell.decide import Caps, ContactPolicy
from servesell.server import create_app
from servesell.store import open_db, save_policy
from servesell.store.users import Role, add_user
from support.api import AT
from support.center import fill_small_bank
from support.postgres import fresh_database
from support.server import live_server

pytestmark = pytest.mark.slow
SMALL_POOL = {"SERVESELL_DB_POOL_SIZE": "2", "SERVESELL_DB_MAX_OVERFLOW": "2"}


@pytest.fixture(scope="module")
def cluster(pg_server: str) -> Iterator[tuple[list[str], dict[str, str], str]]:
    url = fresh_database(pg_server)
    fill_small_bank(url)
    engine = open_db(url)
    with engine.begin() as conn:
        save_policy(conn, ContactPolicy(explore_share=0, caps=Caps(per_day=2)))
        tokens = {r.value: add_user(conn, f"{r.value}1", r) for r in Role}
    engine.dispose()
    with ExitStack() as stack:
        nodes = [stack.enter_context(live_server(url, workers=1, env=SMALL_POOL)) for _ in "ab"]
        yield nodes, tokens, url


def _call(base: str, token: str, method: str, path: str, body: Any = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.request(method, f"{base}{path}", json=body, headers=headers, timeout=60)


def _spread(nodes: list[str], count: int, send: Callable[[str], httpx.Response]) -> list[Any]:
    """``count`` concurrent requests, alternating between the nodes."""
    targets = list(itertools.islice(itertools.cycle(nodes), count))
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(send, targets))


def _customer_with_offer(base: str, token: str, start: int) -> tuple[str, dict]:
    for i in range(start, start + 200):
        customer_id = f"C{i:07d}"
        body = {"customer_id": customer_id, "at": "2026-03-01T10:00:00+08:00"}
        decision = _call(base, token, "POST", "/v1/decisions", body).json()
        if decision["offers"]:
            return customer_id, decision
    raise AssertionError("no eligible customer")


def _eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_frequency_cap_is_exact_across_nodes(cluster) -> None:
    nodes, tokens, _ = cluster
    customer_id, _ = _customer_with_offer(nodes[0], tokens["agent"], start=1)
    body = {"customer_id": customer_id, "reason": "billing_inquiry", "at": AT}
    responses = _spread(
        nodes, 40, lambda node: _call(node, tokens["agent"], "POST", "/v1/decisions", body)
    )
    assert [r.status_code for r in responses] == [201] * 40
    made = sum(len(r.json()["offers"]) + len(r.json()["digital"]) for r in responses)
    assert made == 2


def test_an_outcome_clicked_on_both_nodes_is_recorded_once(cluster) -> None:
    nodes, tokens, _ = cluster
    _, decision = _customer_with_offer(nodes[1], tokens["agent"], start=60)
    outcome = {"offer_id": decision["offers"][0]["offer_id"], "result": "accepted"}
    path = f"/v1/decisions/{decision['decision_id']}/outcomes"
    responses = _spread(nodes, 30, lambda node: _call(node, tokens["agent"], "POST", path, outcome))
    assert sorted(r.status_code for r in responses) == [200] * 29 + [201]
    assert sum(r.json()["created"] for r in responses) == 1


def test_a_retired_offer_stops_on_the_other_node(cluster) -> None:
    nodes, tokens, _ = cluster
    customer_id, decision = _customer_with_offer(nodes[1], tokens["agent"], start=120)
    offer_id = decision["offers"][0]["offer_id"]
    retired = _call(nodes[0], tokens["admin"], "DELETE", f"/v1/offers/{offer_id}")
    assert retired.status_code == 200, retired.text
    body = {"customer_id": customer_id, "at": "2026-03-01T10:00:00+08:00"}

    def gone_on_b() -> bool:
        made = _call(nodes[1], tokens["agent"], "POST", "/v1/decisions", body).json()
        return offer_id not in {o["offer_id"] for o in made["offers"] + made["digital"]}

    assert _eventually(gone_on_b)


def test_a_gate_change_on_one_node_is_in_force_on_the_other(cluster) -> None:
    nodes, tokens, _ = cluster
    at = "2026-03-01T11:00:00+08:00"
    supervisor = tokens["supervisor"]
    state = {"calls_waiting": 1, "agents_staffed": 20, "agents_available": 0, "at": at}
    assert _call(nodes[0], supervisor, "PUT", "/v1/queues/default/state", state).is_success
    body = {"customer_id": "C0000250", "at": at}

    def mode_on_b() -> str:
        return str(_call(nodes[1], tokens["agent"], "POST", "/v1/decisions", body).json()["mode"])

    loose = {"kind": "threshold", "max_waiting": 2}
    tight = {"kind": "threshold", "max_waiting": 0}
    try:
        assert _call(nodes[0], supervisor, "PUT", "/v1/gate", loose).status_code == 200
        assert _eventually(lambda: mode_on_b() == "sell")  # one caller waiting, under 2
        assert _call(nodes[0], supervisor, "PUT", "/v1/gate", tight).status_code == 200
        assert _eventually(lambda: mode_on_b() == "serve")
    finally:
        _call(nodes[0], supervisor, "PUT", "/v1/gate", {})  # back to the default gate
        calm = {**state, "calls_waiting": 0, "agents_available": 3}
        _call(nodes[0], supervisor, "PUT", "/v1/queues/default/state", calm)


def test_the_pool_is_sized_by_setting(monkeypatch: pytest.MonkeyPatch, cluster) -> None:
    url = cluster[2]
    monkeypatch.setenv("SERVESELL_DB_POOL_SIZE", "3")
    monkeypatch.setenv("SERVESELL_DB_MAX_OVERFLOW", "1")
    settings = Settings(db_url=url)
    assert (settings.db_pool_size, settings.db_max_overflow) == (3, 1)
    pool = create_app(settings).state.desk.db.pool
    try:
        assert (pool.size(), pool._max_overflow) == (3, 1)
    finally:
        pool.dispose()
