"""The front-line pages without a browser: roles, CSRF, Chinese pages without raw codes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from servesell.config import Settings
from servesell.domain.handover import HandoverStatus
from servesell.server import create_app
from servesell.web.i18n import messages
from web.conftest import login, prepare_center

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('frontline-web') / 'web.db'}"
    prepare_center(url)
    return url


@pytest.fixture
def client(app_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db_url=app_url), seed=1)) as test_client:
        yield test_client


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


@pytest.mark.parametrize("path", ["/handovers", "/supervisor/scripts", "/best-practice"])
def test_chinese_pages_show_words_not_codes(client: TestClient, path: str) -> None:
    client.cookies.set("servesell_lang", "zh")
    login(client, "supervisor1")
    html = client.get(path).text
    assert re.search(r"[\u4e00-\u9fff]", html)
    for status in HandoverStatus:
        assert f">{status.value}<" not in html
    assert "handover." not in html
    assert "variant." not in html


def test_every_front_line_text_has_both_languages() -> None:
    ours = {k: v for k, v in messages().items() if k.split(".")[0] in ("variant", "handover",
            "practice") or k in ("team.wealth_managers", "team.auto_finance")}  # fmt: skip
    assert ours
    assert all(set(v) == {"en", "zh"} for v in ours.values())
