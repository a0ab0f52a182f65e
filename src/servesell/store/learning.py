"""What the learners read and write: saved model states and the decision log as evidence.

A saved model (a checkpoint) remembers the ``seq`` of the last learning event it applied
(:mod:`servesell.store.evidence`), so replaying the log into it is incremental and never
counts an event twice. Its ``epoch`` changes only when the model starts again (a reset),
which is when every worker must reload it; a checkpoint is written only over an older
one of the same epoch (:func:`save_checkpoint`, a compare-and-set), so concurrent
learners never move a model backwards or mix two epochs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from servesell.domain.decision import OutcomeResult
from servesell.domain.offer import Channel
from servesell.store.decisions import _decision_from_rows
from servesell.store.tables import decision_candidates, decisions, model_states, outcomes
from servesell.store.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.domain.decision import Decision


@dataclass(frozen=True, slots=True)
class StoredModel:
    """A saved model state and how far into the outcome log it has learned."""

    name: str
    kind: str
    state: dict[str, Any]
    outcomes: int
    last_outcome_id: int
    updated_at: dt.datetime
    last_seq: int = 0
    epoch: int = 0


@dataclass(frozen=True, slots=True)
class LoggedDecision:
    """A logged decision and the results recorded for it, by ``(offer_id, channel)``."""

    decision: Decision
    results: dict[tuple[str, Channel], OutcomeResult]


ADAPTIVE_MODEL = "adaptive"
"""The name of the decision engine's online model in ``model_states``."""


def save_model_state(
    conn: Connection,
    name: str,
    kind: str,
    state: dict[str, Any],
    *,
    outcomes: int,
    last_outcome_id: int,
    last_seq: int = 0,
    epoch: int = 0,
) -> None:
    """Store (or replace) the state of model ``name``, whatever is stored."""
    row = {
        "name": name,
        "kind": kind,
        "state": state,
        "outcomes": outcomes,
        "last_outcome_id": last_outcome_id,
        "updated_at": dt.datetime.now(dt.UTC),
        "last_seq": last_seq,
        "epoch": epoch,
    }
    upsert(conn, model_states, [row])


def save_checkpoint(
    conn: Connection,
    name: str,
    state: dict[str, Any],
    *,
    outcomes: int,
    last_outcome_id: int,
    last_seq: int,
    epoch: int,
) -> bool:
    """Replace the stored state only if it is the same epoch and older; ``True`` if written.

    The compare-and-set that lets every worker checkpoint the model it keeps current:
    a writer that lost the race (someone stored a newer state, or reset the model) leaves
    the stored state alone.
    """
    written = conn.execute(
        update(model_states)
        .where(
            model_states.c.name == name,
            model_states.c.epoch == epoch,
            model_states.c.last_seq < last_seq,
        )
        .values(
            state=state,
            outcomes=outcomes,
            last_outcome_id=last_outcome_id,
            last_seq=last_seq,
            updated_at=dt.datetime.now(dt.UTC),
        )
    ).rowcount
    return bool(written)


def create_model_state(
    conn: Connection, name: str, kind: str, state: dict[str, Any], *, epoch: int
) -> bool:
    """Store a new model at ``seq`` 0 unless one exists (the first worker to need it wins)."""
    row = {
        "name": name,
        "kind": kind,
        "state": state,
        "outcomes": 0,
        "last_outcome_id": 0,
        "updated_at": dt.datetime.now(dt.UTC),
        "last_seq": 0,
        "epoch": epoch,
    }
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    done = conn.execute(dialect.insert(model_states).values(row).on_conflict_do_nothing())
    return bool(done.rowcount)


def model_head(conn: Connection, name: str) -> tuple[int, int] | None:
    """``(epoch, last_seq)`` of the stored model ``name``, ``None`` when there is none."""
    row = conn.execute(
        select(model_states.c.epoch, model_states.c.last_seq).where(model_states.c.name == name)
    ).first()
    return None if row is None else (int(row.epoch), int(row.last_seq))


def last_outcome_id(conn: Connection) -> int:
    """The id of the newest recorded outcome (0 when there is none)."""
    return int(conn.execute(select(func.max(outcomes.c.id))).scalar_one() or 0)


def load_model_state(conn: Connection, name: str) -> StoredModel | None:
    """The saved state of model ``name``, or ``None`` when there is none."""
    row = conn.execute(select(model_states).where(model_states.c.name == name)).first()
    if row is None:
        return None
    return StoredModel(
        row.name,
        row.kind,
        row.state,
        row.outcomes,
        row.last_outcome_id,
        row.updated_at,
        row.last_seq,
        row.epoch,
    )


def iter_logged_decisions(
    conn: Connection,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    batch_size: int = 2000,
) -> Iterator[LoggedDecision]:
    """Logged decisions made in ``[since, until)`` with their results, in time order."""
    query = select(decisions).order_by(decisions.c.made_at, decisions.c.id).limit(batch_size)
    if since is not None:
        query = query.where(decisions.c.made_at >= since)
    if until is not None:
        query = query.where(decisions.c.made_at < until)
    offset = 0
    while True:
        rows = conn.execute(query.offset(offset)).all()
        if not rows:
            return
        ids = [r.id for r in rows]
        cands = _by_decision(conn, ids)
        results = _results(conn, ids)
        for r in rows:
            decision = _decision_from_rows(r, cands.get(r.id, []))
            yield LoggedDecision(decision, results.get(r.id, {}))
        offset += len(rows)


def _by_decision(conn: Connection, ids: list[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    query = (
        select(decision_candidates)
        .where(decision_candidates.c.decision_id.in_(ids))
        .order_by(decision_candidates.c.decision_id, decision_candidates.c.position)
    )
    for row in conn.execute(query):
        out[row.decision_id].append(row)
    return out


def _results(
    conn: Connection, ids: list[str]
) -> dict[str, dict[tuple[str, Channel], OutcomeResult]]:
    out: dict[str, dict[tuple[str, Channel], OutcomeResult]] = defaultdict(dict)
    query = select(
        outcomes.c.decision_id, outcomes.c.offer_id, outcomes.c.channel, outcomes.c.result
    ).where(outcomes.c.decision_id.in_(ids))
    for row in conn.execute(query):
        out[row.decision_id][(row.offer_id, Channel(row.channel))] = OutcomeResult(row.result)
    return out
