"""What a supervisor sees of the online model: when it last learned, from what, and drift.

:func:`model_status` is the one service function behind ``servesell model status``,
``GET /v1/model/status`` and the supervisor page: the stored checkpoint, this process's
live copy (how far into the learning log it is, when it last learned and from how many
outcomes), the evidence per offer and channel, and the watch of
:mod:`servesell.learn.monitor` (calibration by decile, take-up per week, drift alarms
with the rule that fired).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.learn.adaptive import AdaptivePropensity
from servesell.learn.monitor import Alarm, Answer, OfferWatch, watch
from servesell.service.online import Progress
from servesell.store import get_customer, load_model_state
from servesell.store.evidence import answers_since, event_stamp, learning_head
from servesell.store.learning import ADAPTIVE_MODEL

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.decide import Engine
    from servesell.domain import CallContext
    from servesell.service.online import OnlineModel

LAG_ALARM_EVENTS = 1000
"""A live copy this many events behind the log raises the ``learner_lag`` alarm."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Answers one learner (an offer on a channel) has learned from."""

    learner: str
    outcomes: int
    accepted: int
    prior: float


@dataclass(frozen=True, slots=True)
class ModelStatus:
    """The online model as the supervisor sees it; times are UTC."""

    exists: bool
    log_events: int
    epoch: int | None = None
    checkpoint_seq: int = 0
    checkpoint_outcomes: int = 0
    checkpoint_at: dt.datetime | None = None
    live: Progress | None = None
    last_learned_at: dt.datetime | None = None
    learned_outcomes: int = 0
    evidence: tuple[Evidence, ...] = ()
    offers: tuple[OfferWatch, ...] = ()
    alarms: tuple[Alarm, ...] = ()


def model_status(
    conn: Connection,
    online: OnlineModel | None = None,
    *,
    now: dt.datetime | None = None,
    days: float = 35.0,
) -> ModelStatus:
    """The online model's status; ``online`` is this process's live copy, if it has one."""
    now = now or dt.datetime.now(dt.UTC)
    head = learning_head(conn)
    stored = load_model_state(conn, ADAPTIVE_MODEL)
    live = online.progress() if online is not None else None
    offers = tuple(_watch(conn, now, days))
    alarms = tuple(a for w in offers for a in w.alarms) + _lag(live, head)
    if stored is None:
        return ModelStatus(False, head, offers=offers, alarms=alarms)
    seq = live.applied_seq if live is not None else stored.last_seq
    return ModelStatus(
        exists=True,
        log_events=head,
        epoch=stored.epoch,
        checkpoint_seq=stored.last_seq,
        checkpoint_outcomes=stored.outcomes,
        checkpoint_at=stored.updated_at,
        live=live,
        last_learned_at=event_stamp(conn, seq),
        learned_outcomes=live.outcomes if live is not None else stored.outcomes,
        evidence=_evidence(online, stored.state),
        offers=offers,
        alarms=alarms,
    )


def _watch(conn: Connection, now: dt.datetime, days: float) -> list[OfferWatch]:
    rows = answers_since(conn, now - dt.timedelta(days=days))
    return watch((Answer(*r) for r in rows), now=now)


def _lag(live: Progress | None, head: int) -> tuple[Alarm, ...]:
    if live is None or head - live.applied_seq < LAG_ALARM_EVENTS:
        return ()
    behind = head - live.applied_seq
    message = (
        f"learner_lag: this worker's model is {behind} events behind the learning log "
        f"(limit {LAG_ALARM_EVENTS})"
    )
    return (Alarm("learner_lag", "*", "*", message, float(behind)),)


def _evidence(online: OnlineModel | None, state: dict[str, object]) -> tuple[Evidence, ...]:
    model = online.model if online is not None else None
    if model is not None:
        learners = {k: (v.n, v.positives, v.prior) for k, v in model.learners.items()}
    else:
        saved = state.get("learners")
        learners = {
            k: (int(v["n"]), int(v["positives"]), float(v["prior"]))
            for k, v in (saved.items() if isinstance(saved, dict) else ())
        }
    return tuple(Evidence(k, n, pos, prior) for k, (n, pos, prior) in sorted(learners.items()))


@dataclass(frozen=True, slots=True)
class Belief:
    """What one process's model believes about one offer on one channel for one customer."""

    offer_id: str
    channel: str
    propensity: float
    source: str
    outcomes: int


@dataclass(frozen=True, slots=True)
class Beliefs:
    """A process's propensities for one customer, with where its model stands.

    ``process`` tells API workers apart: each keeps its own copy of the model, and this
    shows that they agree (``applied_seq`` and the propensities).
    """

    process: int
    customer_id: str
    applied_seq: int
    model: str
    beliefs: tuple[Belief, ...]


def beliefs(
    conn: Connection, engine: Engine, customer_id: str, context: CallContext, online: OnlineModel
) -> Beliefs:
    """The propensity of every catalog offer on each of its channels for ``customer_id``."""
    customer = get_customer(conn, customer_id, engine.catalog.schema)
    model = engine.model
    out = []
    for offer in engine.catalog.by_id.values():
        for channel in offer.channels:
            if isinstance(model, AdaptivePropensity):
                p = model.channel_propensity(offer, channel, customer, context)
                n = model.evidence(offer, channel)
                source = "learned" if n else "prior"
            else:
                p, n, source = model.propensity(offer, customer, context), 0, "prior"
            out.append(Belief(offer.id, channel.value, p, source, n))
    progress = online.progress()
    seq = progress.applied_seq if progress is not None else 0
    kind = "adaptive" if isinstance(model, AdaptivePropensity) else "offer priors"
    return Beliefs(os.getpid(), customer_id, seq, kind, tuple(out))
