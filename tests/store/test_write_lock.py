"""SQLite writers wait for each other's lock at short intervals, then in SQLite's own way."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from servesell.store import db
from servesell.store.db import make_engine, write_transaction

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine


def _table(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    return engine


def _write_while_held(engine: Engine, path: Path, held_seconds: float) -> list[float]:
    """Insert 1 from a thread while another connection holds the write lock; when it began."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    began: list[float] = []

    def write() -> None:
        with write_transaction(engine) as conn:
            began.append(time.monotonic())
            conn.execute(text("INSERT INTO t VALUES (1)"))

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(held_seconds)
    freed = time.monotonic()
    other.execute("COMMIT")
    writer.join(timeout=30)
    other.close()
    return [b - freed for b in began]


def test_a_writer_waiting_for_the_lock_begins_once_it_is_freed(tmp_path: Path) -> None:
    engine = _table(tmp_path / "w.db")
    (late,) = _write_while_held(engine, tmp_path / "w.db", 0.3)
    assert late >= 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
        # A deferred transaction has SQLite's own wait back.
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == db.BUSY_SECONDS * 1000
    engine.dispose()


def test_a_long_held_lock_is_waited_for_in_sqlites_own_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "QUICK_SECONDS", 0.05)
    engine = _table(tmp_path / "w.db")
    (late,) = _write_while_held(engine, tmp_path / "w.db", 0.5)
    assert late >= 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    engine.dispose()
