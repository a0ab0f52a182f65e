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
import time
from typing import TYPE_CHECKING

from servesell.service.calls import build_engine
from servesell.store import load_gate_settings
from servesell.store.meta import catalog_version

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from servesell.decide import Engine as DecisionEngine
    from servesell.store.users import User


class TokenCache:
    """Recently verified bearer tokens of this worker, each trusted for ``ttl`` seconds."""

    def __init__(self, ttl: float = 5.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._seen: dict[str, tuple[float, User]] = {}

    def get(self, token: str) -> User | None:
        """The user behind ``token`` if it was verified less than ``ttl`` seconds ago."""
        hit = self._seen.get(token)
        if hit is None or time.monotonic() - hit[0] > self.ttl:
            return None
        return hit[1]

    def clear(self) -> None:
        """Forget every token (after a revocation in this worker)."""
        self._seen.clear()

    def put(self, token: str, user: User) -> None:
        """Remember a verified token (forgetting everything when full)."""
        if len(self._seen) >= self.size:
            self._seen.clear()
        self._seen[token] = (time.monotonic(), user)


class Runtime:
    """Holds the database engine and the current decision engine of one process."""

    def __init__(self, db: Engine, *, tz: dt.tzinfo = dt.UTC, seed: int | None = None) -> None:
        self.db = db
        self.tz = tz
        self.seed = seed
        self._lock = threading.Lock()
        self._version: int | None = None
        self._engine: DecisionEngine | None = None
        self.tokens = TokenCache()
        self.recheck_seconds = 0.5
        self._checked = 0.0

    def invalidate(self) -> None:
        """Check the catalog version on the next request (after a change in this worker)."""
        self._checked = 0.0

    def engine(self, conn: Connection) -> DecisionEngine:
        """The decision engine for the current catalog version (checked every half second)."""
        engine = self._engine
        now = time.monotonic()
        if engine is not None and now - self._checked < self.recheck_seconds:
            return engine
        version = catalog_version(conn)
        self._checked = now
        if engine is not None and version == self._version:
            return engine
        with self._lock:
            if self._engine is None or version != self._version:
                gate = load_gate_settings(conn).build()
                seed = self.seed if self.seed is not None else secrets.randbits(64)
                self._engine = build_engine(conn, gate=gate, tz=self.tz, seed=seed)
                self._version = version
            return self._engine
