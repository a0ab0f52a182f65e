"""Login, logout, signed sessions that expire, and users revoked mid-session."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from pydantic import ValidationError

from servesell.config import Settings
from servesell.store import open_db
from servesell.store.users import disable_user
from servesell.web.session import SESSION_COOKIE, Session, SessionCodec, session_key
from web.conftest import csrf_of, login

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def test_login_sets_an_httponly_samesite_session_and_lands_on_the_role_page(
    client: TestClient,
) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"name": "supervisor1", "password": "secret-pass", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/supervisor"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    )
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "max-age=36000" in cookie.lower()


def test_login_returns_to_the_page_asked_for_but_never_off_site(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    form = {"name": "agent1", "password": "secret-pass", "csrf_token": token}
    inside = client.post(
        "/login", data={**form, "next": "/agent?customer=C0000001"}, follow_redirects=False
    )
    assert inside.headers["location"] == "/agent?customer=C0000001"
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    outside = client.post(
        "/login",
        data={**form, "csrf_token": token, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert outside.headers["location"] == "/agent"


def test_a_wrong_password_shows_the_form_again_without_a_session(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"name": "agent1", "password": "nope-nope", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Wrong user name or password" in response.text
    assert SESSION_COOKIE not in response.cookies


def test_logout_ends_the_session(client: TestClient) -> None:
    token = login(client, "agent1")
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.headers["location"] == "/login"
    assert client.get("/agent", follow_redirects=False).status_code == 303


def test_an_expired_session_sends_the_user_back_to_login(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    codec: SessionCodec = client.app.state.session_codec  # type: ignore[attr-defined]
    client.cookies.set(SESSION_COOKIE, codec.dump(Session.start("agent1")))
    assert client.get("/agent", follow_redirects=False).status_code == 200
    eleven_hours_ago = int(time.time()) - 11 * 3600
    monkeypatch.setattr(
        "itsdangerous.timed.TimestampSigner.get_timestamp", lambda self: eleven_hours_ago
    )
    expired = codec.dump(Session.start("agent1"))
    monkeypatch.undo()
    client.cookies.set(SESSION_COOKIE, expired)
    response = client.get("/agent", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/agent")


def test_a_forged_session_cookie_is_ignored(client: TestClient) -> None:
    forged = SessionCodec("x" * 40, 3600).dump(Session.start("admin1"))
    client.cookies.set(SESSION_COOKIE, forged)
    assert client.get("/analyst", follow_redirects=False).status_code == 303


def test_a_revoked_user_loses_the_session(client: TestClient, web_db: str) -> None:
    login(client, "agent1")
    assert client.get("/agent").status_code == 200
    engine = open_db(web_db)
    with engine.begin() as conn:
        disable_user(conn, "agent1")
    engine.dispose()
    client.app.state.tokens.clear()  # as the revoke endpoint does; else within 5 s
    assert client.get("/agent", follow_redirects=False).status_code == 303


def test_the_session_key_is_shared_through_the_database(any_db_url: str) -> None:
    engine = open_db(any_db_url)
    first = session_key(engine, Settings(db_url=any_db_url))
    assert len(first) >= 32
    assert session_key(engine, Settings(db_url=any_db_url)) == first  # every worker agrees
    configured = Settings(db_url=any_db_url, secret_key="k" * 32)
    assert session_key(engine, configured) == "k" * 32
    engine.dispose()


def test_a_short_configured_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(secret_key="short")
