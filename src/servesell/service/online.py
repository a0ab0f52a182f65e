"""Online learning in a running process: the model learns from every outcome, in place.

Every outcome that teaches something is copied into the learning log in the transaction
that records it (:mod:`servesell.store.evidence`: one ``seq`` per event, commit order,
no gaps). Each API worker keeps its own copy of the adaptive model and, whenever its
engine re-checks the versions (every half second), applies the events it has not seen
yet — in ``seq`` order, each exactly once, in place, without recompiling the rules.
Because the update is deterministic, every worker and every node that applies the same
events to the same checkpoint holds the same model.

The database keeps a checkpoint (``model_states``) so a new or restarted worker starts
from it instead of from the beginning. Any worker writes one now and then with a
compare-and-set on the stored ``seq`` and epoch (never backwards, never over a reset),
and sweeps digital sends whose attribution window ended into the log as a *no*.

Crash consistency: the log is written with the outcome or not at all; a worker that
dies loses only its in-memory copy, which the next one rebuilds from the checkpoint and
the log; a checkpoint is one row written in one transaction, so a crash mid-write leaves
the previous one. Nothing is lost, nothing is counted twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.service.learning import (
    KIND,
    apply_event,
    load_adaptive,
    new_adaptive,
    save_adaptive,
)
from servesell.store import list_offers
from servesell.store.db import write_transaction
from servesell.store.evidence import expire_digital, iter_events, learning_head
from servesell.store.learning import ADAPTIVE_MODEL, create_model_state, model_head

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy import Engine as Database

    from servesell.learn.adaptive import AdaptivePropensity
    from servesell.service.learning import Saved

logger = logging.getLogger(__name__)

CHECKPOINT_EVENTS = 2000
"""A worker checkpoints after applying this many events since the stored checkpoint..."""
CHECKPOINT_SECONDS = 60.0
"""...or when its copy is ahead of the checkpoint and this long has passed."""
SWEEP_SECONDS = 60.0
"""How often a worker expires unanswered digital sends."""
ATTRIBUTION_WINDOW = dt.timedelta(days=7)
"""A digital send unanswered this long is a *no* (Adobe's 7-day window, REFERENCES.md)."""
CATCH_UP_LIMIT = 20_000
"""Most events applied in one catch-up, so one request never waits for a long replay."""


@dataclass(frozen=True, slots=True)
class Progress:
    """Where one process's copy of the model stands in the learning log."""

    epoch: int
    applied_seq: int
    outcomes: int
    learned_at: dt.datetime | None
    applied_at: dt.datetime | None


class OnlineModel:
    """One process's adaptive model, kept current from the learning log; thread-safe."""

    def __init__(
        self,
        *,
        attribution: dt.timedelta = ATTRIBUTION_WINDOW,
        checkpoint_events: int = CHECKPOINT_EVENTS,
        checkpoint_seconds: float = CHECKPOINT_SECONDS,
        sweep_seconds: float = SWEEP_SECONDS,
    ) -> None:
        self.attribution = attribution
        self.checkpoint_events = checkpoint_events
        self.checkpoint_seconds = checkpoint_seconds
        self.sweep_seconds = sweep_seconds
        self.saved: Saved | None = None
        self.stored_seq = 0
        self._lock = threading.Lock()
        self._checkpointed = time.monotonic()
        self._swept = 0.0
        self._applied_at: dt.datetime | None = None

    @property
    def model(self) -> AdaptivePropensity | None:
        """The live model (``None`` before any evidence exists)."""
        return None if self.saved is None else self.saved.model

    def epoch(self, conn: Connection) -> int | None:
        """The stored model's epoch (``None`` while there is no model yet)."""
        head = model_head(conn, ADAPTIVE_MODEL)
        return None if head is None else head[0]

    def current(self, conn: Connection, epoch: int) -> AdaptivePropensity:
        """The live model of ``epoch``, loaded from the checkpoint unless this copy has it."""
        saved = self.saved
        if saved is not None and saved.epoch == epoch:
            self.catch_up(conn)
            return saved.model
        return self.load(conn)

    def load(self, conn: Connection) -> AdaptivePropensity:
        """Start again from the stored checkpoint (a new epoch) and catch up."""
        with self._lock:
            self.saved = load_adaptive(conn)
            self.stored_seq = self.saved.last_seq
        self.catch_up(conn)
        return self.saved.model

    def catch_up(self, conn: Connection) -> int:
        """Apply the events this copy has not seen (reads only: safe in any transaction)."""
        saved = self.saved
        if saved is None:
            return 0
        with self._lock:
            if saved is not self.saved:  # reloaded meanwhile
                return 0
            return self._apply(conn, saved)

    def tick(self, db: Database) -> None:
        """The background chores: create the model, catch up, checkpoint, sweep, when due."""
        with db.connect() as conn:
            epoch = self.epoch(conn)
            if epoch is None and learning_head(conn) > 0:
                _create(db)
                epoch = self.epoch(conn)
            if epoch is not None:
                self.current(conn, epoch)  # loads a new epoch, else catches up
        now = time.monotonic()
        saved = self.saved
        if saved is not None and self._checkpoint_due(saved, now):
            self._checkpoint(db, saved, now)
        if now - self._swept >= self.sweep_seconds:
            self._swept = now
            with write_transaction(db) as tx:
                expire_digital(tx, now=dt.datetime.now(dt.UTC), window=self.attribution)

    def progress(self) -> Progress | None:
        """Where this copy stands, for the supervisor (``None`` before any evidence)."""
        saved = self.saved
        if saved is None:
            return None
        return Progress(
            saved.epoch, saved.last_seq, saved.outcomes, saved.learned_at, self._applied_at
        )

    def _apply(self, conn: Connection, saved: Saved) -> int:
        events = list(
            iter_events(conn, saved.model.space.schema, after=saved.last_seq, limit=CATCH_UP_LIMIT)
        )
        if not events:
            return 0
        offers = {o.id: o for o in list_offers(conn)}
        for event in events:
            apply_event(saved, event, offers)
        self._applied_at = dt.datetime.now(dt.UTC)
        return len(events)

    def _checkpoint_due(self, saved: Saved, now: float) -> bool:
        ahead = saved.last_seq - self.stored_seq
        return ahead >= self.checkpoint_events or (
            ahead > 0 and now - self._checkpointed >= self.checkpoint_seconds
        )

    def _checkpoint(self, db: Database, saved: Saved, now: float) -> None:
        with self._lock:
            if saved is not self.saved:
                return
            self._checkpointed = now
            with write_transaction(db) as tx:
                save_adaptive(tx, saved)
            self.stored_seq = saved.last_seq


class Learning:
    """A daemon thread that runs :meth:`OnlineModel.tick` every ``period`` seconds."""

    def __init__(self, online: OnlineModel, db: Database, *, period: float) -> None:
        self.online = online
        self.db = db
        self.period = period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="servesell-learning", daemon=True)

    def start(self) -> None:
        """Start ticking."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current tick (waits for it)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            try:
                self.online.tick(self.db)
            except Exception:  # a database that is down now may be back next time
                logger.exception("online learning tick failed; retrying")


def _create(db: Database) -> None:
    """Store a model that knows nothing yet (epoch 1, ``seq`` 0), unless one exists."""
    with db.connect() as conn:
        model = new_adaptive(conn)
    with write_transaction(db) as tx:
        if create_model_state(tx, ADAPTIVE_MODEL, KIND, model.state(), epoch=1):
            logger.info("online model created; it learns from the learning log from now on")
