"""SQLite writers wait for each other's lock at short intervals, then in SQLite's own way."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from servesell.store import db
from servesell.store.db import make_engine, write_transaction, write_transaction_now, writes_now

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


def test_a_write_that_can_start_now_is_one_transaction(tmp_path: Path) -> None:
    engine = _table(tmp_path / "w.db")
    assert writes_now(engine)
    with write_transaction_now(engine) as conn:
        assert conn is not None
        conn.execute(text("INSERT INTO t VALUES (1)"))
    with pytest.raises(RuntimeError):
        _fail_after_writing(engine)
    with write_transaction(engine) as conn:  # the pooled connection still begins normally
        conn.execute(text("INSERT INTO t VALUES (3)"))
        assert conn.execute(text("SELECT sum(x) FROM t")).scalar() == 4
    engine.dispose()


def test_a_write_does_not_start_now_while_another_process_writes(tmp_path: Path) -> None:
    engine = _table(tmp_path / "w.db")
    other = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with write_transaction_now(engine) as conn:
        assert conn is None
    other.execute("COMMIT")
    other.close()
    with write_transaction_now(engine) as conn:  # nothing was left held
        assert conn is not None
    engine.dispose()


def test_a_write_does_not_start_now_before_this_processs_waiting_writers(
    tmp_path: Path,
) -> None:
    engine = _table(tmp_path / "w.db")
    other = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    writer = threading.Thread(target=_write_one, args=(engine,))
    writer.start()
    time.sleep(0.1)  # the thread holds this process's writers' lock, waiting for SQLite's
    with write_transaction_now(engine) as conn:
        assert conn is None
    other.execute("COMMIT")
    writer.join(timeout=30)
    other.close()
    with write_transaction_now(engine) as conn:
        assert conn is not None
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    engine.dispose()


def test_in_memory_sqlite_never_writes_now() -> None:
    engine = make_engine("sqlite://")
    assert not writes_now(engine)
    with write_transaction_now(engine) as conn:
        assert conn is None
    engine.dispose()


def _write_one(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))


def _fail_after_writing(engine: Engine) -> None:
    with write_transaction_now(engine) as conn:
        assert conn is not None
        conn.execute(text("INSERT INTO t VALUES (2)"))
        raise RuntimeError("rolled back")


def test_a_write_does_not_start_now_without_an_idle_pooled_connection(tmp_path: Path) -> None:
    _table(tmp_path / "w.db").dispose()
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")  # nothing pooled yet
    with write_transaction_now(engine) as conn:
        assert conn is None
    with write_transaction(engine) as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
    with write_transaction_now(engine) as conn:  # its connection is back in the pool
        assert conn is not None
    engine.dispose()
