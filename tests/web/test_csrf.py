"""Every state-changing request needs the page's CSRF token, in a form field or a header."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from servesell.store import load_gate_settings, open_db
from web.conftest import csrf_of, login

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

GATE = {"kind": "never", "max_waiting": "0", "budget_seconds": "0"}


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_a_form_post_without_the_right_token_is_refused(
    client: TestClient, web_db: str, token: str | None
) -> None:
    login(client, "supervisor1")
    form = GATE if token is None else {**GATE, "csrf_token": token}
    response = client.post("/supervisor/gate", data=form)
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert _gate_kind(web_db) == "valued_guarded"  # the default, unchanged


def test_the_same_post_with_the_token_goes_through(client: TestClient, web_db: str) -> None:
    token = login(client, "supervisor1")
    response = client.post(
        "/supervisor/gate", data={**GATE, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert _gate_kind(web_db) == "never"


def test_htmx_sends_the_token_as_a_header(client: TestClient) -> None:
    token = login(client, "admin1")
    headers = {"HX-Request": "true"}
    refused = client.post("/analyst/rule", data={"rule": "age > 1"}, headers=headers)
    assert refused.status_code == 403
    allowed = client.post(
        "/analyst/rule", data={"rule": "age > 1"}, headers={**headers, "X-CSRF-Token": token}
    )
    assert allowed.status_code == 200
    assert "The rule is valid" in allowed.text


def test_the_login_form_itself_is_protected_by_a_double_submit_cookie(
    client: TestClient,
) -> None:
    page = client.get("/login")
    assert csrf_of(page.text) == client.cookies.get("servesell_csrf")
    forged = client.post(
        "/login", data={"name": "agent1", "password": "secret-pass", "csrf_token": "forged"}
    )
    assert forged.status_code == 403


def test_logout_and_language_switch_need_the_token(client: TestClient) -> None:
    login(client, "agent1")
    assert client.post("/logout").status_code == 403
    assert client.post("/lang", data={"lang": "zh"}).status_code == 403
    assert client.get("/agent", follow_redirects=False).status_code == 200


def test_the_api_accepts_the_session_for_writes_only_with_the_csrf_header(
    client: TestClient, web_db: str
) -> None:
    token = login(client, "supervisor1")
    assert client.get("/v1/gate").status_code == 200
    body = {"kind": "always", "max_waiting": 1, "budget_seconds": 60}
    assert client.put("/v1/gate", json=body).status_code == 401
    assert _gate_kind(web_db) == "valued_guarded"  # the default, unchanged
    accepted = client.put("/v1/gate", json=body, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 200
    assert _gate_kind(web_db) == "always"


def _gate_kind(db_url: str) -> str:
    engine = open_db(db_url)
    with engine.connect() as conn:
        kind = load_gate_settings(conn).kind
    engine.dispose()
    return kind
