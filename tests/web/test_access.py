"""Who may open which page: login first, then the role decides (403 page otherwise)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from web.conftest import login

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

PAGES = ("/agent", "/supervisor", "/analyst", "/analyst/offers/bill_instalment")
ALLOWED = {
    "agent1": {"/agent"},
    "supervisor1": {"/agent", "/supervisor"},
    "admin1": set(PAGES),
}


@pytest.mark.parametrize("path", [*PAGES, "/agent/mode", "/supervisor/live"])
def test_without_login_every_page_redirects_to_login(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_the_login_page_remembers_the_screen_pop_it_interrupted(client: TestClient) -> None:
    response = client.get("/agent?customer=C0000001&call=K1", follow_redirects=False)
    assert response.headers["location"] == "/login?next=/agent%3Fcustomer%3DC0000001%26call%3DK1"
    page = client.get(response.headers["location"])
    assert 'name="next" value="/agent?customer=C0000001&amp;call=K1"' in page.text


def test_an_htmx_request_after_the_session_ended_redirects_the_whole_page(
    client: TestClient,
) -> None:
    response = client.get("/agent/mode", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/login")


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_each_role_opens_its_pages_and_gets_a_friendly_403_elsewhere(
    client: TestClient, name: str
) -> None:
    login(client, name)
    for path in PAGES:
        response = client.get(path, follow_redirects=False)
        if path in ALLOWED[name]:
            assert response.status_code == 200, path
        else:
            assert response.status_code == 403, path
            assert "Not available for your role" in response.text
            assert 'href="/"' in response.text


@pytest.mark.parametrize(
    ("name", "home"), [("agent1", "/agent"), ("supervisor1", "/supervisor"), ("admin1", "/analyst")]
)
def test_the_landing_page_is_the_roles_home(client: TestClient, name: str, home: str) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    login(client, name)
    assert client.get("/", follow_redirects=False).headers["location"] == home
    assert client.get("/login", follow_redirects=False).headers["location"] == home


def test_pages_carry_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert "<script>" not in response.text


def test_web_pages_stay_out_of_the_api_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if not p.startswith(("/v1", "/healthz", "/readyz"))]
