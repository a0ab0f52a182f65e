"""The web app's guards (issue 14, items 10, 13 and 14): no framing, login time that does not
reveal names, failed logins throttled per user and address, logout ended on the server, the
desktop acting only on the agent's own calls, bounded rule previews. One app for the module."""

from __future__ import annotations

import statistics
import time
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from servesell.config import Settings
from servesell.server import create_app
from servesell.service.catalog import PreviewLimits, PreviewSlots
from servesell.store import open_db
from servesell.store import users as user_store
from servesell.store.decisions import decision_for_call
from servesell.store.tables import login_failures
from servesell.store.users import Role, add_user
from servesell.web.session import SESSION_COOKIE
from web.conftest import PASSWORD, csrf_of, login, prepare_center

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    folder: Path = tmp_path_factory.mktemp("guard")
    url = f"sqlite:///{folder / 'servesell.db'}"
    prepare_center(url)
    engine = open_db(url)
    with engine.begin() as conn:
        add_user(conn, "agent2", Role.AGENT, password=PASSWORD)
    engine.dispose()
    settings = Settings(db_url=url, login_failures_per_user=3, login_failures_per_address=5)
    with TestClient(create_app(settings, seed=1), base_url="http://testserver") as client:
        yield client, url
        client.cookies.clear()


def _try(client: TestClient, name: str, password: str) -> Any:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_pages_cannot_be_framed(web: tuple[TestClient, str]) -> None:
    client, _ = web
    page = client.get("/login")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]  # CSP kept
    assert page.headers["x-frame-options"] == "DENY"


def test_an_unknown_name_costs_a_password_hash_like_a_wrong_password(
    web: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, url = web
    checked: list[str] = []
    real = user_store.check_password

    def counted(password: str, stored: str) -> bool:
        checked.append(stored)
        return real(password, stored)

    monkeypatch.setattr(user_store, "check_password", counted)
    timings: dict[str, list[float]] = {"nobody-here": [], "supervisor1": []}
    for _ in range(2):
        for name, spent in timings.items():
            start = time.perf_counter()
            assert _try(client, name, "wrong-wrong").status_code == 401
            spent.append(time.perf_counter() - start)
    assert len(checked) == 4
    assert checked.count(user_store._DUMMY_HASH) == 2
    unknown, known = (statistics.median(t) for t in timings.values())
    assert unknown > 0.4 * known  # loosely the same: both run scrypt
    _forget_failures(url)


def test_wrong_passwords_are_throttled_per_user_then_per_address(
    web: tuple[TestClient, str],
) -> None:
    client, url = web
    for _ in range(3):
        assert _try(client, "agent2", "wrong-wrong").status_code == 401
    throttled = _try(client, "agent2", PASSWORD)  # even the right password waits
    assert throttled.status_code == 429
    assert 1 <= int(throttled.headers["retry-after"]) <= 15 * 60
    assert "Too many failed sign-ins" in throttled.text
    assert _try(client, "supervisor1", "wrong-wrong").status_code == 401
    assert _try(client, "admin1", "wrong-wrong").status_code == 401  # 5 from this address
    assert _try(client, "admin1", PASSWORD).status_code == 429
    _forget_failures(url)
    assert _try(client, "agent2", PASSWORD).status_code == 303
    client.cookies.clear()


def test_logout_ends_the_session_on_the_server(web: tuple[TestClient, str]) -> None:
    client, _ = web
    token = login(client, "agent1")
    copied = client.cookies[SESSION_COOKIE]
    assert client.get("/agent", follow_redirects=False).status_code == 200
    client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, copied)
    assert client.get("/agent", follow_redirects=False).status_code == 303
    assert client.get("/v1/offers").status_code == 401
    client.cookies.clear()


def test_the_desktop_acts_only_on_the_agents_own_calls(web: tuple[TestClient, str]) -> None:
    client, url = web
    login(client, "agent1")
    page = client.get("/agent?customer=C0000007&call=web-guard-1")
    assert page.status_code == 200
    engine = open_db(url)
    with engine.connect() as conn:
        decision = decision_for_call(conn, "C0000007", "web-guard-1")
    engine.dispose()
    assert decision is not None
    client.cookies.clear()
    token = login(client, "agent2")
    other = client.get("/agent?customer=C0000007&call=web-guard-1")
    assert other.status_code == 403
    assert "you can see and record only your own calls" in other.text
    offer = decision.shown[0].offer_id if decision.shown else "none"
    form = {"decision_id": decision.id, "offer_id": offer, "result": "accepted"}
    stolen = client.post("/agent/outcome", data={**form, "csrf_token": token})
    assert stolen.status_code == 403
    client.cookies.clear()


def test_the_analyst_preview_says_when_it_is_an_estimate(web: tuple[TestClient, str]) -> None:
    client, _ = web
    previews = PreviewSlots(PreviewLimits(sample_above=100))
    client.app.state.previews = previews  # type: ignore[attr-defined]
    token = login(client, "admin1")
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    form = {"rule": "age >= 18", "preview": "1"}
    estimate = client.post("/analyst/rule", data=form, headers=headers)
    assert "of 300 customers are eligible (an estimate from 100 customers scanned)" in (
        estimate.text
    )
    with previews.slot("admin1"):
        busy = client.post("/analyst/rule", data=form, headers=headers)
    assert "A preview of yours is still running" in busy.text
    assert "The rule is valid." in busy.text
    client.cookies.clear()


def _forget_failures(url: str) -> None:
    engine = open_db(url)
    with engine.begin() as conn:
        conn.execute(delete(login_failures))
    engine.dispose()
