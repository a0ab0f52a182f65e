"""Fixtures shared by the whole suite."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

import pytest

from servesell.store import open_db
from support.postgres import fresh_database, running_server
from support.spark import lean_session

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from sqlalchemy import Engine


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A private PostgreSQL server for the session (skips locally without binaries)."""
    with running_server() as url:
        yield url


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The one local Spark session of the test run (skips locally without Java or PySpark)."""
    with lean_session() as session:
        yield session


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """URL of a fresh SQLite file database in the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'servesell.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database on each backend servesell supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'servesell.db'}"
    return fresh_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on a fresh SQLite file."""
    eng = open_db(db_url)
    yield eng
    eng.dispose()


def pylean_sessionfinish() -> None:
    """Hand the objects servers froze (``settle_long_lived_objects``) back to the collector.

    A worker keeps them frozen for its whole life; the test process must not, or
    extension modules report them as leaked at exit.
    """
    gc.unfreeze()
    gc.collect()
