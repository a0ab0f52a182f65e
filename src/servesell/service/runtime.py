"""A long-running process's view of servesell: one decision engine, rebuilt when settings change.

The API and the web app share one :class:`Runtime` per worker. At most every half second
a request checks the catalog version and the stored model's version (two indexed
reads); when an admin changed the catalog, the policy, the gate or the schema, or the
model learned — in this worker, another worker or the CLI — the engine is rebuilt with
its rules compiled once.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import secrets
import threading
import time
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from servesell.queueing.settings import GateSettings
from servesell.service.calls import build_engine
from servesell.service.learning import MODEL_NAME, load_adaptive
from servesell.store import load_gate_settings
from servesell.store.learning import model_version
from servesell.store.meta import catalog_version
from servesell.store.queues import recent_load

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from servesell.decide import Engine as DecisionEngine
    from servesell.store.users import User


LOAD_CACHE_SECONDS = 5.0
logger = logging.getLogger(__name__)


def settle_long_lived_objects(*, reclaim: bool) -> None:
    """Keep every object alive now out of the cyclic collector's full scans.

    A worker holds about 250,000 long-lived objects (compiled rules, the model, the web
    framework); a full collection walked them all, 120-170 ms in the middle of live
    calls (``bench/api.py``: p99 170-300 ms without this, 8-24 ms with it). Frozen
    objects are still freed by reference counting. ``reclaim`` (a rebuild) first
    unfreezes and collects, so the replaced engine's reference cycles are freed.
    """
    if reclaim:
        gc.unfreeze()
        gc.collect()
    gc.freeze()


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
        self._version: tuple[int, int | None] | None = None
        self.gate_settings = GateSettings()
        self._loads: dict[str, tuple[float, tuple[float, float | None]]] = {}
        self._engine: DecisionEngine | None = None
        self.tokens = TokenCache()
        self.recheck_seconds = 0.5
        self._checked = 0.0

    def recent_load(
        self, conn: Connection, queue: str, at: dt.datetime
    ) -> tuple[float, float | None]:
        """Answered calls per hour and mean handle time of ``queue`` lately (cached 5 s)."""
        hit = self._loads.get(queue)
        now = time.monotonic()
        if hit is not None and now - hit[0] < LOAD_CACHE_SECONDS:
            return hit[1]
        load = recent_load(conn, queue, at)
        self._loads[queue] = (now, load)
        return load

    def warm(self) -> None:
        """Build the decision engine now, so a worker's first live call does not wait for it.

        A database that is not reachable yet is not fatal here: the engine is then built
        on the first request, and ``/readyz`` says whether the database answers.
        """
        try:
            with self.db.connect() as conn:
                self.engine(conn)
        except SQLAlchemyError as exc:
            logger.warning("decision engine not built at start (%s); built on first call", exc)

    def invalidate(self) -> None:
        """Check the catalog version on the next request (after a change in this worker)."""
        self._checked = 0.0

    def engine(self, conn: Connection) -> DecisionEngine:
        """The decision engine for the current catalog and model (checked every half second).

        The propensity model is the stored adaptive model once one exists (written by
        ``servesell model learn``, the single writer); until then the offers' priors.
        """
        engine = self._engine
        now = time.monotonic()
        if engine is not None and now - self._checked < self.recheck_seconds:
            return engine
        version = (catalog_version(conn), model_version(conn, MODEL_NAME))
        self._checked = now
        if engine is not None and version == self._version:
            return engine
        with self._lock:
            if self._engine is None or version != self._version:
                self.gate_settings = load_gate_settings(conn)
                seed = self.seed if self.seed is not None else secrets.randbits(64)
                model = load_adaptive(conn).model if version[1] is not None else None
                self._engine = build_engine(
                    conn, gate=self.gate_settings.build(), model=model, tz=self.tz, seed=seed
                )
                self._version = version
                settle_long_lived_objects(reclaim=engine is not None)
            return self._engine
