from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from support.api import auth


def test_health_needs_no_token(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "detail": ""}
    assert client.get("/readyz").json()["status"] == "ok"


def test_missing_or_bad_token_is_401(client: TestClient) -> None:
    assert client.get("/v1/offers").status_code == 401
    response = client.get("/v1/offers", headers=auth("not-a-token"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("role", "method", "path", "allowed"),
    [
        ("agent", "get", "/v1/kpis", False),
        ("supervisor", "get", "/v1/kpis", True),
        ("agent", "get", "/v1/policy", False),
        ("supervisor", "get", "/v1/policy", True),
        ("supervisor", "put", "/v1/policy", False),
        ("admin", "put", "/v1/policy", True),
        ("supervisor", "get", "/v1/users", False),
        ("agent", "put", "/v1/queues/default/state", False),
    ],
)
def test_roles_gate_the_endpoints(client: TestClient, tokens, role, method, path, allowed) -> None:
    body = (
        {"calls_waiting": 0, "agents_staffed": 1, "agents_available": 1} if "queues" in path else {}
    )
    response = client.request(method, path, json=body or None, headers=auth(tokens[role]))
    assert (response.status_code != 403) is allowed, response.text


def test_admin_creates_a_user_whose_token_works_once_shown(client: TestClient, tokens) -> None:
    created = client.post(
        "/v1/users", json={"name": "ann", "role": "agent"}, headers=auth(tokens["admin"])
    )
    assert created.status_code == 201
    token = created.json()["token"]
    assert client.get("/v1/offers", headers=auth(token)).status_code == 200
    listed = client.get("/v1/users", headers=auth(tokens["admin"])).json()
    assert all(u["token"] is None for u in listed)
    client.delete("/v1/users/ann", headers=auth(tokens["admin"]))
    assert client.get("/v1/offers", headers=auth(token)).status_code == 401
