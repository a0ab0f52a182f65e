"""An API over a small synthetic bank, with one user per role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from servesell.config import Settings
from servesell.server import create_app
from servesell.store import open_db
from servesell.store.users import Role, add_user
from support.api import REPLAY_SECONDS
from support.center import fill_small_bank


@pytest.fixture
def app_url(any_db_url: str) -> str:
    """Every API test runs once per backend."""
    fill_small_bank(any_db_url)
    return any_db_url


@pytest.fixture
def tokens(app_url: str) -> dict[str, str]:
    """A token per role: agent1, supervisor1, admin1 (password 'secret-pass')."""
    engine = open_db(app_url)
    with engine.begin() as conn:
        made = {r.value: add_user(conn, f"{r.value}1", r, password="secret-pass") for r in Role}
    engine.dispose()
    return made


@pytest.fixture
def client(app_url: str, tokens: dict[str, str]) -> TestClient:
    app = create_app(Settings(db_url=app_url, backdate_seconds=REPLAY_SECONDS), seed=1)
    with TestClient(app) as test_client:
        yield test_client
