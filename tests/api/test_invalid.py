"""Every kind of bad input gets a 4xx with a message that says what and where; never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from servesell.server import MAX_BODY_BYTES
from support.api import auth


def _post(client: TestClient, token: str, path: str, content: bytes, **headers: str):
    return client.post(
        path,
        content=content,
        headers={**auth(token), "Content-Type": "application/json", **headers},
    )


def test_malformed_json_is_422_with_the_place(client: TestClient, tokens) -> None:
    response = _post(client, tokens["agent"], "/v1/decisions", b'{"customer_id": "C1",')
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_wrong_types_name_the_field(client: TestClient, tokens) -> None:
    response = client.post(
        "/v1/decisions",
        json={"customer_id": ["C1"], "at": "yesterday"},
        headers=auth(tokens["agent"]),
    )
    assert response.status_code == 422
    fields = {tuple(d["loc"]) for d in response.json()["detail"]}
    assert fields == {("body", "customer_id"), ("body", "at")}


def test_unknown_fields_are_refused_not_dropped(client: TestClient, tokens) -> None:
    response = client.post(
        "/v1/decisions",
        json={"customer_id": "C0000001", "custmer": "x"},
        headers=auth(tokens["agent"]),
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "custmer"]


def test_non_utf8_body_is_rejected(client: TestClient, tokens) -> None:
    body = '{"customer_id": "客户"}'.encode("gbk")
    response = _post(client, tokens["agent"], "/v1/decisions", body)
    assert 400 <= response.status_code < 500


def test_oversized_body_is_413_before_it_is_read(client: TestClient, tokens) -> None:
    big = b'{"customers": [' + b'{"id": "x"},' * (MAX_BODY_BYTES // 10) + b"]}"
    response = _post(client, tokens["admin"], "/v1/customers/import", big)
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    ["/v1/decisions/nope", "/v1/customers/NOPE1", "/v1/offers/nope", "/v1/decisions/nope/why/x"],
)
def test_unknown_ids_are_404_with_the_id(client: TestClient, tokens, path: str) -> None:
    response = client.get(path, headers=auth(tokens["agent"]))
    assert response.status_code == 404
    assert "nope" in response.json()["detail"].lower()


def test_inconsistent_queue_state_is_422(client: TestClient, tokens) -> None:
    state = {"calls_waiting": 0, "agents_staffed": 1, "agents_available": 5}
    response = client.put("/v1/queues/q1/state", json=state, headers=auth(tokens["supervisor"]))
    assert response.status_code == 422
    assert "exceed agents_staffed" in response.json()["detail"][0]["msg"]


def test_kpi_window_must_be_ordered(client: TestClient, tokens) -> None:
    response = client.get(
        "/v1/kpis?from=2026-03-02T00:00:00&to=2026-03-01T00:00:00",
        headers=auth(tokens["supervisor"]),
    )
    assert response.status_code == 400
    assert "must be after" in response.json()["detail"]
