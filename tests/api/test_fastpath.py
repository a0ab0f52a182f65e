"""The screen pop's fast path answers exactly as the route does, and hands on what it cannot.

``?explain=false`` is the same request for the route but never taken by the fast path (a
query string), so each pair below is one request answered both ways.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servesell.api import fastpath
from support.api import AT, auth


@pytest.fixture
def fast_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per decision the fast path made."""
    made: list[int] = []
    decided = fastpath.decided

    async def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return await decided(*args, **kwargs)

    monkeypatch.setattr(fastpath, "decided", counted)
    return made


def _both(client: TestClient, token: str, body: dict[str, Any]) -> tuple[Any, Any]:
    """The answer of the fast path and of the route to the same request."""
    fast = client.post("/v1/decisions", json=body, headers=auth(token))
    routed = client.post("/v1/decisions?explain=false", json=body, headers=auth(token))
    return fast, routed


def _same(fast: Any, routed: Any) -> None:
    assert fast.status_code == routed.status_code
    assert fast.content == routed.content
    assert fast.headers == routed.headers


def test_a_retried_decision_is_the_same_bytes_both_ways(
    client: TestClient, tokens: dict[str, str], fast_calls: list[int]
) -> None:
    body = {"customer_id": "C0000007", "call_id": "fast-1", "reason": "billing_inquiry", "at": AT}
    first = client.post("/v1/decisions", json=body, headers=auth(tokens["agent"]))
    assert first.status_code == 201  # the token's first use: the route checked it
    assert fast_calls == []
    fast, routed = _both(client, tokens["agent"], body)
    assert fast.status_code == 200
    _same(fast, routed)
    assert fast.json()["decision_id"] == first.json()["decision_id"]
    assert fast_calls == [1]


def test_a_new_decision_is_made_and_logged_by_the_fast_path(
    client: TestClient, tokens: dict[str, str], fast_calls: list[int]
) -> None:
    headers = auth(tokens["agent"])
    client.post("/v1/decisions", json={"customer_id": "C0000001", "at": AT}, headers=headers)
    made = client.post("/v1/decisions", json={"customer_id": "C0000002", "at": AT}, headers=headers)
    assert made.status_code == 201
    assert fast_calls == [1]
    decision_id = made.json()["decision_id"]
    read = client.get(f"/v1/decisions/{decision_id}", headers=auth(tokens["supervisor"]))
    assert read.status_code == 200
    assert read.json()["customer_id"] == "C0000002"
    assert all(c["fate"] for c in read.json()["candidates"])


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"customer_id": "NOPE0001", "at": AT}, 404),  # raised in the decision
        ({"customer_id": "C0000003", "agent_id": "someone-else", "at": AT}, 403),
    ],
)
def test_errors_raised_while_deciding_are_answered_as_the_route_does(
    client: TestClient,
    tokens: dict[str, str],
    fast_calls: list[int],
    body: dict[str, Any],
    status: int,
) -> None:
    client.post(
        "/v1/decisions", json={"customer_id": "C0000001", "at": AT}, headers=auth(tokens["agent"])
    )
    fast, routed = _both(client, tokens["agent"], body)
    assert fast.status_code == status
    _same(fast, routed)
    assert len(fast_calls) == 1


@pytest.mark.parametrize(
    "raw",
    [
        b'{"customer_id": "C0000001", "surprise": 1}',  # 422 with where
        b'{"customer_id": 7}',
        b"[1, 2]",
        b'{"customer_id": "C0000001"',  # not JSON
        b"\xff\xfe",  # not UTF-8: 400
        b"",
    ],
)
def test_bodies_the_route_refuses_are_handed_to_it(
    client: TestClient, tokens: dict[str, str], fast_calls: list[int], raw: bytes
) -> None:
    headers = {**auth(tokens["agent"]), "Content-Type": "application/json"}
    client.post("/v1/decisions", json={"customer_id": "C0000001", "at": AT}, headers=headers)
    fast = client.post("/v1/decisions", content=raw, headers=headers)
    routed = client.post("/v1/decisions?explain=false", content=raw, headers=headers)
    assert fast.status_code in (400, 422)
    _same(fast, routed)
    assert fast_calls == []


def test_a_supervisor_names_an_agent_and_an_unknown_token_is_401(
    client: TestClient, tokens: dict[str, str], fast_calls: list[int]
) -> None:
    body = {"customer_id": "C0000004", "agent_id": "agent1", "at": AT}
    first = client.post("/v1/decisions", json=body, headers=auth(tokens["supervisor"]))
    again = client.post("/v1/decisions", json=body, headers=auth(tokens["supervisor"]))
    assert (first.status_code, again.status_code) == (201, 201)
    assert fast_calls == [1]
    unknown = client.post("/v1/decisions", json=body, headers=auth("not-a-token"))
    assert unknown.status_code == 401
    assert fast_calls == [1]


def test_the_fast_path_is_inside_the_access_log(
    client: TestClient,
    tokens: dict[str, str],
    fast_calls: list[int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    headers = auth(tokens["agent"])
    with caplog.at_level(logging.INFO, logger="servesell.access"):
        client.post("/v1/decisions", json={"customer_id": "C0000001", "at": AT}, headers=headers)
        client.post("/v1/decisions", json={"customer_id": "C0000002", "at": AT}, headers=headers)
    lines = [r.getMessage() for r in caplog.records if r.name == "servesell.access"]
    assert [line.rsplit(" ", 1)[0] for line in lines] == ["POST /v1/decisions 201"] * 2
    assert fast_calls == [1]
