"""The web app over a small synthetic bank: users per role, a TestClient, a logged-in helper."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from servesell.config import Settings
from servesell.decide import ContactPolicy
from servesell.server import create_app
from servesell.store import open_db, save_policy
from servesell.store.users import Role, add_user
from support.browser import ARGS, require_chromium
from support.center import fill_small_bank

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser

PASSWORD = "secret-pass"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def prepare_center(db_url: str) -> None:
    """The small bank, no exploration (offers are deterministic), one user per role."""
    fill_small_bank(db_url)
    engine = open_db(db_url)
    with engine.begin() as conn:
        save_policy(conn, ContactPolicy(explore_share=0.0))
        for role in Role:
            add_user(conn, f"{role.value}1", role, password=PASSWORD)
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Debian Chromium for every browser test of the session (one Playwright loop)."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def web_db(db_url: str) -> str:
    prepare_center(db_url)
    return db_url


@pytest.fixture
def client(web_db: str) -> Iterator[TestClient]:
    app = create_app(Settings(db_url=web_db), seed=1)
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    """The CSRF token a page embeds in its forms."""
    found = CSRF.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log ``name`` in through the form; returns the session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get(response.headers["location"]).text)
