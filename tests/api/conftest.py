"""An API over a small synthetic bank, with one user per role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from servesell.api import create_app
from servesell.config import Settings
from support.center import fill_small_bank


@pytest.fixture
def app_url(db_url: str) -> str:
    fill_small_bank(db_url)
    return db_url


@pytest.fixture
def tokens(app_url: str) -> dict[str, str]:
    from servesell.store import open_db
    from servesell.store.users import Role, add_user

    with open_db(app_url).begin() as conn:
        return {
            role.value: add_user(conn, f"{role.value}1", role, password="secret-pass")
            for role in Role
        }


@pytest.fixture
def client(app_url: str, tokens: dict[str, str]) -> TestClient:
    app = create_app(Settings(db_url=app_url), seed=1)
    with TestClient(app) as test_client:
        yield test_client
