"""A long-running process's view of servesell: one decision engine, rebuilt when settings change.

The API and the web app share one :class:`Runtime` per worker. Every request checks the
catalog version (one indexed read); when an admin changed the catalog, the policy, the
gate or the schema — in this worker, another worker or the CLI — the engine is rebuilt
with its rules compiled once.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from typing import TYPE_CHECKING

from servesell.service.calls import build_engine
from servesell.store import load_gate_settings
from servesell.store.meta import catalog_version

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from servesell.decide import Engine as DecisionEngine


class Runtime:
    """Holds the database engine and the current decision engine of one process."""

    def __init__(self, db: Engine, *, tz: dt.tzinfo = dt.UTC, seed: int | None = None) -> None:
        self.db = db
        self.tz = tz
        self.seed = seed
        self._lock = threading.Lock()
        self._version: int | None = None
        self._engine: DecisionEngine | None = None

    def engine(self, conn: Connection) -> DecisionEngine:
        """The decision engine for the catalog version ``conn`` sees."""
        version = catalog_version(conn)
        engine = self._engine
        if engine is not None and version == self._version:
            return engine
        with self._lock:
            if self._engine is None or version != self._version:
                gate = load_gate_settings(conn).build()
                seed = self.seed if self.seed is not None else secrets.randbits(64)
                self._engine = build_engine(conn, gate=gate, tz=self.tz, seed=seed)
                self._version = version
            return self._engine
