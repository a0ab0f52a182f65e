from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from servesell.store import head_revision, open_db
from servesell.store.db import current_revision
from servesell.store.tables import metadata


def test_migrations_create_exactly_the_declared_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_sqlite_file_runs_in_wal_mode(tmp_path) -> None:
    engine = open_db(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_opening_twice_keeps_the_revision(db_url: str) -> None:
    open_db(db_url).dispose()
    engine = open_db(db_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
