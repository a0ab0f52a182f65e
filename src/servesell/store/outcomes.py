"""Outcomes: what happened to each offer made, recorded once.

Recording an outcome is idempotent: the same result for the same decision, offer and
channel twice is stored once. An outcome for an unknown decision, for an offer the
decision did not make, or contradicting an earlier result is refused. A sale keeps the
piece rate in force when it was recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from servesell.domain.decision import Fate, Outcome, OutcomeResult
from servesell.domain.offer import Channel
from servesell.errors import NotFoundError, OutcomeError
from servesell.store.offers import piece_rate_now
from servesell.store.tables import decision_candidates, decisions, outcomes

if TYPE_CHECKING:
    from sqlalchemy import Connection


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
