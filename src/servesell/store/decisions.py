"""The append-only decision log: decisions, every candidate's fate, and outcomes.

Recording an outcome is idempotent: the same result for the same decision, offer and
channel twice is stored once. An outcome for an unknown decision, for an offer the
decision did not make, or contradicting an earlier result is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from servesell.domain.center import CallContext
from servesell.domain.decision import (
    Candidate,
    Decision,
    Fate,
    Mode,
    Outcome,
    OutcomeResult,
    Scores,
)
from servesell.domain.history import Contact
from servesell.domain.offer import Channel
from servesell.errors import NotFoundError, OutcomeError
from servesell.store.offers import piece_rate_now
from servesell.store.tables import UtcDateTime, decision_candidates, decisions, outcomes

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import Connection, Row, Select


def insert_decision(conn: Connection, decision: Decision) -> None:
    """Append ``decision`` and its candidates to the log."""
    ctx = decision.context
    conn.execute(
        insert(decisions),
        {
            "id": decision.id,
            "customer_id": decision.customer_id,
            "call_id": ctx.call_id,
            "agent_id": ctx.agent_id,
            "queue": ctx.queue,
            "reason": ctx.reason,
            "made_at": decision.made_at,
            "mode": decision.mode.value,
            "budget_seconds": decision.budget_seconds,
            "explored": decision.explored,
            "policy": decision.policy,
            "ineligible": list(decision.ineligible),
        },
    )
    if decision.candidates:
        conn.execute(
            insert(decision_candidates),
            [_candidate_row(decision.id, i, c) for i, c in enumerate(decision.candidates)],
        )


def get_decision(conn: Connection, decision_id: str) -> Decision:
    """The logged decision with its candidates; :class:`NotFoundError` when unknown."""
    row = conn.execute(select(decisions).where(decisions.c.id == decision_id)).first()
    if row is None:
        raise NotFoundError("decision", decision_id)
    cands = conn.execute(
        select(decision_candidates)
        .where(decision_candidates.c.decision_id == decision_id)
        .order_by(decision_candidates.c.position)
    ).all()
    return _decision_from_rows(row, cands)


def decision_for_call(conn: Connection, customer_id: str, call_id: str) -> Decision | None:
    """The latest decision made for ``customer_id`` on call ``call_id``, or ``None``.

    Lets a screen pop that is opened again (a reload) show the decision already made
    instead of making, and counting, a second one.
    """
    decision_id = conn.execute(
        select(decisions.c.id)
        .where(decisions.c.customer_id == customer_id, decisions.c.call_id == call_id)
        .order_by(decisions.c.made_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return None if decision_id is None else get_decision(conn, decision_id)


def decision_owner(conn: Connection, decision_id: str) -> tuple[str, str | None]:
    """The customer and the answering agent of a logged decision."""
    row = conn.execute(
        select(decisions.c.customer_id, decisions.c.agent_id).where(decisions.c.id == decision_id)
    ).first()
    if row is None:
        raise NotFoundError("decision", decision_id)
    return row.customer_id, row.agent_id


def outcomes_of(conn: Connection, decision_id: str) -> list[Outcome]:
    """Every outcome recorded for the decision ``decision_id``, oldest first."""
    rows = conn.execute(
        select(outcomes).where(outcomes.c.decision_id == decision_id).order_by(outcomes.c.id)
    ).all()
    return [
        Outcome(
            decision_id=r.decision_id,
            offer_id=r.offer_id,
            result=OutcomeResult(r.result),
            recorded_at=r.recorded_at,
            channel=Channel(r.channel),
            decline_reason=r.decline_reason,
            extra_handle_seconds=r.extra_handle_seconds,
        )
        for r in rows
    ]


def record_outcome(conn: Connection, outcome: Outcome) -> bool:
    """Store ``outcome``; ``True`` when new, ``False`` when the same one was already stored.

    A sale keeps the offer's piece rate in force now, so commission paid on it never
    changes when the rate is changed later.
    """
    fate = conn.execute(
        select(decision_candidates.c.fate, decisions.c.customer_id)
        .join(decisions, decisions.c.id == decision_candidates.c.decision_id)
        .where(
            decision_candidates.c.decision_id == outcome.decision_id,
            decision_candidates.c.offer_id == outcome.offer_id,
        )
    ).first()
    if fate is None:
        raise _missing(conn, outcome)
    _check_channel(outcome, Fate(fate.fate))
    existing = _existing_result(conn, outcome)
    if existing is not None:
        return _same_or_conflict(outcome, existing)
    rate = (
        piece_rate_now(conn, outcome.offer_id) if outcome.result is OutcomeResult.ACCEPTED else None
    )
    try:
        with conn.begin_nested():
            conn.execute(insert(outcomes), _outcome_row(outcome, fate.customer_id, rate))
    except IntegrityError:
        existing = _existing_result(conn, outcome)
        if existing is None:  # pragma: no cover - the row that collided must exist
            raise
        return _same_or_conflict(outcome, existing)
    return True


def contact_history(conn: Connection, customer_id: str, since: dt.datetime) -> list[Contact]:
    """Offers made to ``customer_id`` since ``since`` (shown or sent), with any results."""
    rows = conn.execute(_HISTORY, {"customer_id": customer_id, "since": since}).all()
    return [_contact(r) for r in rows]


def _history_query() -> Select[Any]:
    joined = decision_candidates.join(
        decisions, decisions.c.id == decision_candidates.c.decision_id
    ).outerjoin(
        outcomes,
        and_(
            outcomes.c.decision_id == decision_candidates.c.decision_id,
            outcomes.c.offer_id == decision_candidates.c.offer_id,
            outcomes.c.channel == decision_candidates.c.channel,
        ),
    )
    return (
        select(
            decision_candidates.c.offer_id,
            decision_candidates.c.channel,
            decisions.c.made_at,
            decisions.c.id,
            outcomes.c.result,
            outcomes.c.recorded_at,
        )
        .select_from(joined)
        .where(
            decisions.c.customer_id == bindparam("customer_id"),
            decisions.c.made_at >= bindparam("since", type_=UtcDateTime),
            decision_candidates.c.fate.in_([Fate.SHOWN.value, Fate.DIGITAL.value]),
        )
        .order_by(decisions.c.made_at)
    )


_HISTORY = _history_query()


def _contact(row: Row[Any, Any, Any, Any, Any, Any]) -> Contact:
    result = OutcomeResult(row.result) if row.result else None
    return Contact(
        offer_id=row.offer_id,
        channel=Channel(row.channel),
        at=row.recorded_at if result is OutcomeResult.DECLINED else row.made_at,
        result=result,
        decision_id=row.id,
    )


def _missing(conn: Connection, outcome: Outcome) -> NotFoundError | OutcomeError:
    known = conn.execute(
        select(decisions.c.id).where(decisions.c.id == outcome.decision_id)
    ).first()
    if known is None:
        return NotFoundError("decision", outcome.decision_id)
    return OutcomeError(
        f"offer {outcome.offer_id!r} was not a candidate in decision {outcome.decision_id!r}"
    )


def _check_channel(outcome: Outcome, fate: Fate) -> None:
    if fate not in (Fate.SHOWN, Fate.DIGITAL):
        raise OutcomeError(
            f"offer {outcome.offer_id!r} was not made in decision {outcome.decision_id!r} "
            f"(it was {fate.value}); only shown or sent offers take outcomes"
        )
    if outcome.channel is Channel.IN_CALL and fate is not Fate.SHOWN:
        raise OutcomeError(
            f"offer {outcome.offer_id!r} was sent digitally in decision "
            f"{outcome.decision_id!r}, not shown in the call"
        )
    if outcome.result is OutcomeResult.NOT_OFFERED and outcome.channel is not Channel.IN_CALL:
        raise OutcomeError("'not_offered' applies to the live call only")


def _existing_result(conn: Connection, outcome: Outcome) -> OutcomeResult | None:
    value = conn.execute(
        select(outcomes.c.result).where(
            outcomes.c.decision_id == outcome.decision_id,
            outcomes.c.offer_id == outcome.offer_id,
            outcomes.c.channel == outcome.channel.value,
        )
    ).scalar_one_or_none()
    return None if value is None else OutcomeResult(value)


def _same_or_conflict(outcome: Outcome, existing: OutcomeResult) -> bool:
    if existing is outcome.result:
        return False
    raise OutcomeError(
        f"decision {outcome.decision_id!r}, offer {outcome.offer_id!r} on "
        f"{outcome.channel.value}: already recorded as {existing.value!r}, "
        f"cannot change it to {outcome.result.value!r}"
    )


def _outcome_row(outcome: Outcome, customer_id: str, piece_rate: float | None) -> dict[str, Any]:
    return {
        "piece_rate": piece_rate,
        "decision_id": outcome.decision_id,
        "offer_id": outcome.offer_id,
        "customer_id": customer_id,
        "channel": outcome.channel.value,
        "result": outcome.result.value,
        "recorded_at": outcome.recorded_at,
        "decline_reason": outcome.decline_reason,
        "extra_handle_seconds": outcome.extra_handle_seconds,
    }


def _candidate_row(decision_id: str, position: int, c: Candidate) -> dict[str, Any]:
    return {
        "decision_id": decision_id,
        "offer_id": c.offer_id,
        "position": position,
        "fate": c.fate.value,
        "reason": c.reason,
        "channel": c.channel.value if c.channel else None,
        "propensity": c.scores.propensity,
        "value": c.scores.value,
        "context_weight": c.scores.context_weight,
        "lever": c.scores.lever,
        "probability": c.probability,
        "rank": c.rank,
    }


def _decision_from_rows(row: Row[Any], cands: Sequence[Row[Any]]) -> Decision:
    return Decision(
        id=row.id,
        customer_id=row.customer_id,
        made_at=row.made_at,
        context=CallContext(
            at=row.made_at,
            reason=row.reason,
            agent_id=row.agent_id,
            call_id=row.call_id,
            queue=row.queue,
        ),
        mode=Mode(row.mode),
        budget_seconds=row.budget_seconds,
        explored=row.explored,
        candidates=tuple(
            Candidate(
                offer_id=c.offer_id,
                fate=Fate(c.fate),
                reason=c.reason,
                scores=Scores(c.propensity, c.value, c.context_weight, c.lever),
                channel=Channel(c.channel) if c.channel else None,
                probability=c.probability,
                rank=c.rank,
            )
            for c in cands
        ),
        ineligible=tuple(row.ineligible),
        policy=row.policy,
    )
