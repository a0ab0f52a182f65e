"""Store tests run on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pytest


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """Every store test runs once per backend."""
    return any_db_url
