"""Bad input to the web app gets a clear answer, never a traceback or a stored change."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from web.conftest import login

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    "query",
    [
        "customer=" + "C" * 65,
        "customer=C0000001&call=bad%20call",
        "customer=C0000001&call=x&reason=%3Cb%3E",
        "customer=C0000001&call=x&queue=..%2F..",
    ],
)
def test_malformed_screen_pop_parameters_get_a_400_page(client: TestClient, query: str) -> None:
    login(client, "agent1")
    response = client.get(f"/agent?{query}")
    assert response.status_code == 400
    assert "Ids are letters, digits" in response.text


def test_an_unknown_outcome_result_is_refused(client: TestClient) -> None:
    token = login(client, "agent1")
    response = client.post(
        "/agent/outcome",
        data={"decision_id": "d", "offer_id": "o", "result": "maybe"},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 422


def test_a_gate_that_is_not_a_number_is_explained(client: TestClient) -> None:
    token = login(client, "supervisor1")
    response = client.post(
        "/supervisor/gate",
        data={
            "kind": "sometimes",
            "max_waiting": "abc",
            "budget_seconds": "1",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert "kind" in response.text


def test_an_overlong_rule_is_refused_before_it_is_compiled(client: TestClient) -> None:
    token = login(client, "admin1")
    response = client.post(
        "/analyst/rule", data={"rule": "age > 1 OR " * 500}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 422


def test_an_offer_without_channels_is_refused_at_the_channels(client: TestClient) -> None:
    token = login(client, "admin1")
    page = client.get("/analyst/offers/auto_debit")
    assert page.status_code == 200
    form = {
        "csrf_token": token,
        "id": "auto_debit",
        "name_en": "Auto repayment",
        "product": "auto_debit",
        "rule": "age > 1",
        "script_zh": "…",
        "value": "20",
        "extra_handle_seconds": "30",
        "status": "active",
    }
    response = client.post("/analyst/offers", data=form)
    assert response.status_code == 422
    assert 'id="err-channels"' in response.text
