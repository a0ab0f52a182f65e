"""The decision engine in force in one process, rebuilt when what it was built from changes.

At most every half second a request checks the catalog version and the stored model's
epoch (two indexed reads); when an admin changed the catalog, the policy, the gate or
the schema, or the model was started again (``servesell model learn --reset``), the
engine is rebuilt with its rules compiled once. Between rebuilds the model learns in
place: the same check applies the learning log's new events to the engine's model
(:mod:`servesell.service.online`), with no recompiling.
"""

from __future__ import annotations

import datetime as dt
import gc
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from servesell.campaigns.holdout import GOVERNING, govern
from servesell.decide import Catalog, Engine
from servesell.queueing.settings import GateSettings
from servesell.service.online import Learning, OnlineModel
from servesell.store import list_offers, load_gate_settings, load_policy, require_schema
from servesell.store.campaigns import list_campaigns
from servesell.store.meta import catalog_version

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy import Engine as Database

    from servesell.decide import ContactPolicy
    from servesell.decide.channel import ChannelPrices
    from servesell.domain import LoadGate, PropensityModel

RECHECK_SECONDS = 0.5
"""How long a built engine is trusted before the versions are read again."""


def build_engine(
    conn: Connection,
    *,
    policy: ContactPolicy | None = None,
    model: PropensityModel | None = None,
    gate: LoadGate | None = None,
    tz: dt.tzinfo = dt.UTC,
    seed: int = 0,
    prices: ChannelPrices | None = None,
) -> Engine:
    """An engine over the store's catalog and policy (unless given), rules compiled once.

    Offers of a running or paused campaign are made as the campaign says (its audience,
    channels, dates and hold-out; see :mod:`servesell.campaigns.holdout`).
    """
    offers = govern(list_offers(conn), list_campaigns(conn, states=GOVERNING))
    catalog = Catalog(offers, require_schema(conn))
    policy = policy or load_policy(conn)
    return Engine(catalog, policy=policy, model=model, gate=gate, tz=tz, seed=seed, prices=prices)


class EngineSource(Protocol):
    """Where a call desk gets the decision engine in force."""

    @property
    def default_aht_seconds(self) -> float:
        """Handle time the gate assumes until the log or the ACD reports one."""
        ...

    def get(self, conn: Connection) -> Engine:
        """The engine to decide with now."""
        ...


@dataclass(frozen=True, slots=True)
class FixedEngine:
    """One engine for the whole run (the demo, benchmarks, tests); never rebuilt."""

    engine: Engine
    default_aht_seconds: float = GateSettings().default_aht_seconds

    def get(self, conn: Connection) -> Engine:
        """The engine, whatever the store says."""
        return self.engine


class LiveEngine:
    """The current decision engine of a process (API worker, web app, CLI command).

    The propensity model is the stored adaptive model once one exists, kept current
    from the learning log by :attr:`online`; until then the offers' priors. ``seed``
    fixes the engine's exploration draws (tests); by default every build draws a new one.
    A server also calls :meth:`start_learning`, so the model is created, checkpointed
    and kept current even between requests.
    """

    def __init__(
        self,
        *,
        tz: dt.tzinfo = dt.UTC,
        seed: int | None = None,
        online: OnlineModel | None = None,
        prices: ChannelPrices | None = None,
    ) -> None:
        self.tz = tz
        self.seed = seed
        self.prices = prices
        self.gate_settings = GateSettings()
        self.online = online or OnlineModel()
        self._lock = threading.Lock()
        self._version: tuple[int, int | None] | None = None
        self._engine: Engine | None = None
        self._checked = 0.0
        self._learning: Learning | None = None

    def start_learning(self, db: Database, *, period: float = RECHECK_SECONDS) -> None:
        """Keep the model current in a background thread (the server's workers do)."""
        if self._learning is None:
            self._learning = Learning(self.online, db, period=period)
            self._learning.start()

    def stop_learning(self) -> None:
        """Stop the background thread, if any."""
        if self._learning is not None:
            self._learning.stop()
            self._learning = None

    @property
    def built(self) -> bool:
        """Whether an engine has been built yet (``warm`` or a first request)."""
        return self._engine is not None

    @property
    def default_aht_seconds(self) -> float:
        """The gate settings' handle time until the log or the ACD reports one."""
        return self.gate_settings.default_aht_seconds

    def invalidate(self) -> None:
        """Read the versions again on the next request (after a change in this worker)."""
        self._checked = 0.0

    def get(self, conn: Connection) -> Engine:
        """The engine for the current catalog and model (versions checked every half second)."""
        engine = self._engine
        now = time.monotonic()
        if engine is not None and now - self._checked < RECHECK_SECONDS:
            return engine
        version = (catalog_version(conn), self.online.epoch(conn))
        self._checked = now
        if engine is not None and version == self._version:
            self.online.catch_up(conn)
            return engine
        with self._lock:
            if self._engine is None or version != self._version:
                self._engine = self._build(conn, version)
                self._version = version
                settle_long_lived_objects(reclaim=engine is not None)
            return self._engine

    def _build(self, conn: Connection, version: tuple[int, int | None]) -> Engine:
        self.gate_settings = load_gate_settings(conn)
        seed = self.seed if self.seed is not None else secrets.randbits(64)
        model = self.online.current(conn, version[1]) if version[1] is not None else None
        return build_engine(
            conn,
            gate=self.gate_settings.build(),
            model=model,
            tz=self.tz,
            seed=seed,
            prices=self.prices,
        )


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
