"""The front-line pages without a browser: roles, CSRF, Chinese pages without raw codes."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from servesell.config import Settings
from servesell.domain import CallContext, Outcome, OutcomeResult
from servesell.domain.handover import HandoverStatus
from servesell.server import create_app
from servesell.service.engines import LiveEngine
from servesell.service.handovers import book
from servesell.service.screen import CallDesk
from servesell.store import open_db
from servesell.web.i18n import messages
from web.conftest import login, prepare_center

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The small bank with one hand-over booked two days ago and never worked (overdue)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('frontline-web') / 'web.db'}"
    prepare_center(url)
    db = open_db(url)
    desk = CallDesk(db, LiveEngine(seed=0))
    at = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    for i in range(1, 200):
        context = CallContext(at=at, reason="billing_inquiry", agent_id="agent1", call_id=f"o{i}")
        pop = desk.screen_pop(f"C{i:07d}", context)
        referral = next((c.offer_id for c in pop.decision.shown
                         if c.offer_id in ("wealth_product", "car_loan")), None)  # fmt: skip
        if referral:
            desk.record(Outcome(pop.decision.id, referral, OutcomeResult.ACCEPTED, at))
            book(db, decision_id=pop.decision.id, offer_id=referral,
                 slot_at=at + dt.timedelta(hours=3), at=at)  # fmt: skip
            break
    db.dispose()
    return url


@pytest.fixture(scope="module")
def app_client(app_url: str) -> Iterator[TestClient]:
    """One app for the module (starting one takes seconds)."""
    with TestClient(create_app(Settings(db_url=app_url), seed=1)) as test_client:
        yield test_client


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    """The module's client with no cookies (no session, default language)."""
    app_client.cookies.clear()
    return app_client


def test_the_specialist_role_sees_only_the_handovers(client: TestClient) -> None:
    login(client, "specialist1")
    assert client.get("/handovers").status_code == 200
    assert client.get("/agent").status_code == 403
    assert client.get("/supervisor/scripts").status_code == 403


def test_agents_may_not_open_the_handovers_or_review_scripts(client: TestClient) -> None:
    login(client, "agent1")
    assert client.get("/handovers").status_code == 403
    assert client.get("/supervisor/scripts").status_code == 403
    assert client.get("/best-practice").status_code == 200


def test_a_review_without_the_csrf_token_is_refused(client: TestClient) -> None:
    login(client, "supervisor1")
    response = client.post("/supervisor/scripts/v-x/review", data={"action": "activate"})
    assert response.status_code == 403


def test_chinese_pages_show_words_not_codes(client: TestClient) -> None:
    client.cookies.set("servesell_lang", "zh")
    login(client, "supervisor1")
    for path in ("/handovers", "/supervisor/scripts", "/best-practice", "/supervisor"):
        html = client.get(path).text
        assert re.search(r"[\u4e00-\u9fff]", html), path
        for status in HandoverStatus:
            assert f">{status.value}<" not in html, path
        assert "handover." not in html, path
        assert "variant." not in html, path
    assert "超时未跟进的转介（1）" in html


def test_every_front_line_text_has_both_languages() -> None:
    ours = {k: v for k, v in messages().items() if k.split(".")[0] in ("variant", "handover",
            "practice") or k in ("team.wealth_managers", "team.auto_finance")}  # fmt: skip
    assert ours
    assert all(set(v) == {"en", "zh"} for v in ours.values())


def test_an_overdue_handover_is_flagged_on_the_supervisor_page(client: TestClient) -> None:
    login(client, "supervisor1")
    page = client.get("/supervisor").text
    assert "Hand-overs overdue (1)" in page
    assert 'class="overdue"' in page


def test_the_offer_editor_keeps_a_referral_offers_team(client: TestClient) -> None:
    login(client, "admin1")
    page = client.get("/analyst/offers/car_loan").text
    assert 'name="handover_team" value="auto_finance"' in page
    assert 'name="completion_days" value="30"' in page
