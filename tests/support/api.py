"""Helpers for talking to the API in tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

AT = "2026-03-02T10:00:00+08:00"
REPLAY_SECONDS = 50 * 365 * 86_400.0
"""The tests replay fixed past days (``AT``): they allow times that far behind the server's
clock (``Settings.backdate_seconds``) on purpose; tests of the clock rules use the default."""


def auth(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


def decide(client: TestClient, token: str, customer_id: str, **body: Any) -> Any:
    """POST a decision and return the response."""
    payload = {"customer_id": customer_id, "reason": "billing_inquiry", "at": AT, **body}
    return client.post("/v1/decisions", json=payload, headers=auth(token))


def customer_with_offer(client: TestClient, token: str, start: int = 1) -> tuple[str, dict]:
    """The first synthetic customer (from C{start}) who gets an in-call offer."""
    for i in range(start, 300):
        customer_id = f"C{i:07d}"
        response = decide(client, token, customer_id)
        assert response.status_code == 201, response.text
        if response.json()["offers"]:
            return customer_id, response.json()
    raise AssertionError("no customer got an offer")
