"""Interface language from the user's choice or Accept-Language; every text in both languages."""

from __future__ import annotations

import re
from importlib import resources
from typing import TYPE_CHECKING

import pytest

from servesell.domain import Channel, OfferStatus, OutcomeResult
from servesell.domain.decision import Mode
from servesell.store.users import Role
from servesell.web.desktop import DECLINE_CHOICES
from servesell.web.i18n import LANGUAGES, choose_language, messages
from web.conftest import login

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

LITERAL_KEY = re.compile(r"""\bt\('([a-z_]+\.[a-z_]+)'[,)]""")
ENUMERATED = {
    "role": [r.value for r in Role],
    "mode": [m.value for m in Mode],
    "result": [*(r.value for r in OutcomeResult), "open"],
    "decline": list(DECLINE_CHOICES),
    "channel": [c.value for c in Channel],
    "status": [s.value for s in OfferStatus],
    "flag": ["vip", "do_not_market", "blacklisted", "open_complaint"],
    "gate": ["kind_threshold", "kind_always", "kind_never"],
    "agent": [f"no_offers_{m.value}" for m in Mode],
}


def test_every_text_exists_in_every_language() -> None:
    incomplete = [k for k, texts in messages().items() if set(texts) != set(LANGUAGES)]
    assert incomplete == []


def test_every_key_a_template_names_has_a_text() -> None:
    folder = resources.files("servesell.web").joinpath("templates")
    used = {
        key
        for template in folder.iterdir()
        for key in LITERAL_KEY.findall(template.read_text("utf-8"))
    }
    assert used
    assert sorted(used - set(messages())) == []


@pytest.mark.parametrize("prefix", sorted(ENUMERATED))
def test_every_value_shown_by_key_has_a_text(prefix: str) -> None:
    missing = [v for v in ENUMERATED[prefix] if f"{prefix}.{v}" not in messages()]
    assert missing == []


@pytest.mark.parametrize(
    ("chosen", "header", "expected"),
    [
        (None, None, "en"),
        (None, "zh-CN,zh;q=0.9", "zh"),
        (None, "en-GB,en;q=0.9,zh;q=0.8", "en"),
        (None, "zh-TW;q=0.3, en;q=0.2", "zh"),
        (None, "fr-FR, de;q=0.9", "en"),
        (None, "zh;q=abc, en", "en"),
        ("zh", "en-US", "zh"),
        ("xx", "zh-CN", "zh"),
    ],
)
def test_the_language_comes_from_the_choice_then_accept_language(
    chosen: str | None, header: str | None, expected: str
) -> None:
    assert choose_language(chosen, header) == expected


def test_a_chinese_browser_gets_chinese_pages(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert '<html lang="zh-CN">' in page.text
    assert "登录 servesell" in page.text


def test_the_language_switch_is_remembered_over_accept_language(client: TestClient) -> None:
    token = login(client, "agent1")
    response = client.post(
        "/lang", data={"lang": "zh", "next": "/agent", "csrf_token": token}, follow_redirects=False
    )
    assert response.headers["location"] == "/agent"
    page = client.get("/agent", headers={"Accept-Language": "en-US"})
    assert "接听来电" in page.text
    assert '<option value="zh" selected' in page.text


def test_an_unknown_language_choice_changes_nothing(client: TestClient) -> None:
    token = login(client, "agent1")
    client.post("/lang", data={"lang": "tlh", "csrf_token": token})
    assert "Take a call" in client.get("/agent").text


def test_the_forbidden_page_speaks_the_users_language(client: TestClient) -> None:
    login(client, "agent1")
    page = client.get("/supervisor", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 403
    assert "您的角色无权访问此页面" in page.text
