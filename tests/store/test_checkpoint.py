"""The WAL is copied back by a background thread, and nothing committed is lost."""

from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING

from sqlalchemy import text

from servesell.store.checkpoint import BACKSTOP_PAGES, Checkpointer
from servesell.store.db import make_engine

if TYPE_CHECKING:
    from pathlib import Path


def test_the_checkpointer_copies_the_wal_back_after_commits(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == BACKSTOP_PAGES
    checkpointer = Checkpointer(path, interval=0.01)
    checkpointer.start()
    for i in range(50):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": i})
        checkpointer.committed()
    deadline = time.monotonic() + 5
    while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    checkpointer.stop()
    assert checkpointer.checkpoints > 0
    assert not checkpointer.running
    engine.dispose()


def test_everything_committed_is_there_after_dispose_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    for i in range(100):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": i})
    engine.dispose()
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT count(*) FROM t").fetchone() == (100,)
    raw.close()
