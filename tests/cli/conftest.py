from __future__ import annotations

from pathlib import Path

import pytest

from servesell.store import open_db


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite database created as a user would first (``servesell db upgrade``)."""
    url = f"sqlite:///{tmp_path / 'servesell.db'}"
    open_db(url).dispose()
    return url
