"""Checkpoint a SQLite WAL from a background thread, off the requests' path.

SQLite's automatic checkpoint runs inside the commit that pushes the WAL past
``wal_autocheckpoint`` pages, with two ``fsync`` calls: on a logged decision that was the
p99 (``bench/decide.py``: 6.8 ms against a 0.8 ms p50). A :class:`Checkpointer` (one per
SQLite file engine) runs ``PRAGMA wal_checkpoint(PASSIVE)`` on its own connection a few
milliseconds after this process committed, so the WAL is copied back and restarted
before it reaches the automatic threshold, which stays in place as a backstop (for a
process whose checkpointer is not running or falls behind, and to let the WAL restart).

A checkpoint changes nothing a commit guarantees: the WAL frames of every acknowledged
commit are already in the WAL file; a checkpoint only copies them into the database file
(and flushes both to disk). Checkpointing more often narrows what an operating-system
crash can roll back (see ``docs/design.md``).
"""

from __future__ import annotations

import atexit
import logging
import os
import sqlite3
import threading
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 0.05
"""How long a commit waits at most before the checkpointer copies it back."""
BACKSTOP_PAGES = 10_000
"""``wal_autocheckpoint`` of the engine's connections. Under steady writes a passive
checkpoint never quite catches up (commits land while it copies), so the WAL does not
restart by itself; SQLite's own checkpoint in a committing request then copies the few
pages left and lets the WAL restart, once per this many pages instead of every 1,000.
A ``RESTART`` checkpoint from the thread would avoid even that, but it changes the WAL
under deferred transactions, which then fail to upgrade to writing (SQLITE_BUSY)."""

_RUNNING: weakref.WeakSet[Checkpointer] = weakref.WeakSet()


class Checkpointer:
    """Copies one SQLite file's WAL back into the database after this process commits.

    :meth:`committed` (called on every commit) marks work to do; :meth:`start` starts
    the daemon thread (again after a fork or a :meth:`stop`); :meth:`stop` runs a last
    checkpoint and closes the thread's connection — the last connection to close also
    makes SQLite checkpoint and remove the WAL.
    """

    def __init__(self, path: Path, *, interval: float = INTERVAL_SECONDS) -> None:
        self.path = path
        self.interval = interval
        self.checkpoints = 0
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    @property
    def running(self) -> bool:
        """Whether this process's checkpointer thread is alive."""
        thread = self._thread
        return thread is not None and thread.is_alive() and self._pid == os.getpid()

    def committed(self) -> None:
        """Note that this process committed: there are WAL frames to copy back."""
        self._dirty.set()

    def start(self) -> None:
        """Start the thread unless it runs (it does not survive a fork)."""
        with self._lock:
            if self.running:
                return
            self._stop = threading.Event()
            self._pid = os.getpid()
            self._thread = threading.Thread(
                target=self._run, name=f"wal-checkpoint {self.path.name}", daemon=True
            )
            self._thread.start()
            _RUNNING.add(self)

    def stop(self, *, wait: bool = True) -> None:
        """Stop the thread after a last checkpoint (idempotent); ``wait`` for it to finish."""
        thread = self._thread
        self._stop.set()
        self._dirty.set()
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        _RUNNING.discard(self)

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        """Copy the WAL back (and flush it) without waiting for or blocking anyone."""
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
        except sqlite3.Error as exc:  # a busy or vanished file: the next round retries
            logger.debug("WAL checkpoint of %s skipped: %s", self.path, exc)

    def _run(self) -> None:
        stop = self._stop
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            while not stop.is_set():
                self._dirty.wait()
                if stop.wait(self.interval):
                    break
                self._dirty.clear()
                self.checkpoint(conn)
            self.checkpoint(conn)
        finally:
            conn.close()


@atexit.register
def _stop_all() -> None:
    """A one-shot process checkpoints what it wrote before it exits."""
    for checkpointer in list(_RUNNING):
        checkpointer.stop()
