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
    response = client.get(path, headers=auth(tokens["supervisor"]))  # agents: 403, not serving
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
    assert response.status_code == 422
    assert "must be after" in response.json()["detail"]


def test_bulk_import_turns_what_a_column_cannot_hold_into_rejects_not_a_500(
    client: TestClient, tokens
) -> None:
    rows = [
        {"id": "H1", "attributes": {"age": 30}},
        {"id": "H2", "email": "e" * 243 + "@example.com"},
        {"id": "H3", "email": "a\u0000b@example.com"},
        {"id": "H4", "wechat_openid": "wx\u0000id"},
        {"id": "H5", "attributes": {"segment": "ma\u0000ss"}},
        {"id": "H6", "attributes": {"age": 2**64}},
        {"id": "H7\u00a0", "attributes": {"age": 1}},
        {"id": "H8", "attributes": {"age": 31}},
    ]
    response = client.post(
        "/v1/customers/import", json={"customers": rows}, headers=auth(tokens["admin"])
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, 6)
    assert [(e["where"], e["column"]) for e in body["errors"]] == [
        ("item 2", "email"),
        ("item 3", "email"),
        ("item 4", "wechat_openid"),
        ("item 5", "segment"),
        ("item 6", "age"),
        ("item 7", "id"),
    ]


def test_put_customer_with_a_nul_in_a_contact_is_422(client: TestClient, tokens) -> None:
    response = client.put(
        "/v1/customers/H9", json={"email": "a\u0000b@example.com"}, headers=auth(tokens["admin"])
    )
    assert response.status_code == 422
    assert "NUL" in response.text
