"""Fixtures shared by the whole suite."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from servesell.store import open_db

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """URL of a fresh SQLite file database in the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'servesell.db'}"


@pytest.fixture
def engine(db_url: str) -> Engine:
    """A migrated engine on a fresh SQLite file."""
    eng = open_db(db_url)
    yield eng
    eng.dispose()
