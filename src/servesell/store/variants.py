"""Script variants and the logged allocation of pitch variants to shown offers."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, insert, select, update

from servesell.domain.offer import Channel
from servesell.domain.variant import (
    Allocation,
    ScriptVariant,
    VariantKind,
    VariantStatus,
)
from servesell.errors import NotFoundError
from servesell.store.tables import outcomes, script_allocations, script_variants

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Connection, Row

LIVE = (VariantStatus.ACTIVE.value, VariantStatus.PROMOTED.value)


def insert_variant(conn: Connection, variant: ScriptVariant) -> None:
    """Store a newly proposed variant."""
    conn.execute(insert(script_variants), _row(variant))


def get_variant(conn: Connection, variant_id: str) -> ScriptVariant:
    """One variant; :class:`NotFoundError` when there is none with this id."""
    row = conn.execute(select(script_variants).where(script_variants.c.id == variant_id)).first()
    if row is None:
        raise NotFoundError("script variant", variant_id)
    return _variant(row)


def list_variants(
    conn: Connection,
    *,
    offer_id: str | None = None,
    statuses: tuple[VariantStatus, ...] | None = None,
    kind: VariantKind | None = None,
    language: str | None = None,
) -> list[ScriptVariant]:
    """Variants matching the filters, oldest first."""
    c = script_variants.c
    query = select(script_variants).order_by(c.proposed_at, c.id)
    if offer_id is not None:
        query = query.where(c.offer_id == offer_id)
    if statuses is not None:
        query = query.where(c.status.in_([s.value for s in statuses]))
    if kind is not None:
        query = query.where(c.kind == kind.value)
    if language is not None:
        query = query.where(c.language == language)
    return [_variant(r) for r in conn.execute(query)]


def live_pitches(
    conn: Connection, offer_ids: list[str] | None = None, language: str | None = None
) -> list[ScriptVariant]:
    """Active and promoted pitch variants (of ``offer_ids``, in ``language``), oldest first."""
    c = script_variants.c
    query = select(script_variants).where(c.kind == VariantKind.PITCH.value, c.status.in_(LIVE))
    if offer_ids is not None:
        query = query.where(c.offer_id.in_(offer_ids))
    if language is not None:
        query = query.where(c.language == language)
    return [_variant(r) for r in conn.execute(query.order_by(c.proposed_at, c.id))]


def set_status(
    conn: Connection,
    variant_id: str,
    status: VariantStatus,
    *,
    by: str,
    at: dt.datetime,
    evidence: Mapping[str, float] | None = None,
) -> None:
    """Change a variant's status, stamping who decided and when (and the evidence)."""
    values: dict[str, Any] = {"status": status.value, "reviewed_by": by, "reviewed_at": at}
    if evidence is not None:
        values["evidence"] = dict(evidence)
    conn.execute(update(script_variants).where(script_variants.c.id == variant_id), values)


def insert_allocations(
    conn: Connection, allocations: list[tuple[Allocation, str, Mapping[str, float]]]
) -> None:
    """Log allocations with their language and every live arm's probability."""
    if allocations:
        rows = [
            {
                "decision_id": a.decision_id,
                "offer_id": a.offer_id,
                "variant_id": a.variant_id,
                "probability": a.probability,
                "language": language,
                "arms": dict(arms),
            }
            for a, language, arms in allocations
        ]
        conn.execute(insert(script_allocations), rows)


def allocations_of(conn: Connection, decision_id: str) -> dict[str, str]:
    """The variant each shown offer of a decision got (offers without a row: standard)."""
    c = script_allocations.c
    rows = conn.execute(select(c.offer_id, c.variant_id).where(c.decision_id == decision_id))
    return {r.offer_id: r.variant_id for r in rows}


def arm_counts(
    conn: Connection, offer_ids: list[str], language: str
) -> dict[tuple[str, str], tuple[int, int]]:
    """In-call accepts and declines per (offer, variant) of logged allocations."""
    if not offer_ids:
        return {}
    a, o = script_allocations.c, outcomes.c
    accepted = func.sum(case((o.result == "accepted", 1), else_=0))
    declined = func.sum(case((o.result == "declined", 1), else_=0))
    joined = script_allocations.join(
        outcomes,
        and_(
            o.decision_id == a.decision_id,
            o.offer_id == a.offer_id,
            o.channel == Channel.IN_CALL.value,
        ),
    )
    query = (
        select(a.offer_id, a.variant_id, accepted, declined)
        .select_from(joined)
        .where(a.offer_id.in_(offer_ids), a.language == language)
        .group_by(a.offer_id, a.variant_id)
    )
    return {(r[0], r[1]): (int(r[2] or 0), int(r[3] or 0)) for r in conn.execute(query)}


def allocation_log(
    conn: Connection, offer_id: str, language: str
) -> list[tuple[dict[str, float], str, str | None]]:
    """Every allocation of an offer: live arms' probabilities, variant shown, in-call result."""
    a, o = script_allocations.c, outcomes.c
    joined = script_allocations.outerjoin(
        outcomes,
        and_(
            o.decision_id == a.decision_id,
            o.offer_id == a.offer_id,
            o.channel == Channel.IN_CALL.value,
        ),
    )
    query = (
        select(a.arms, a.variant_id, o.result)
        .select_from(joined)
        .where(a.offer_id == offer_id, a.language == language)
    )
    return [(dict(r[0]), r[1], r[2]) for r in conn.execute(query)]


def _row(v: ScriptVariant) -> dict[str, Any]:
    return {
        "id": v.id,
        "offer_id": v.offer_id,
        "language": v.language,
        "kind": v.kind.value,
        "decline_reason": v.decline_reason,
        "text": v.text,
        "author": v.author,
        "proposed_at": v.proposed_at,
        "status": v.status.value,
        "reviewed_by": v.reviewed_by,
        "reviewed_at": v.reviewed_at,
        "evidence": v.evidence,
    }


def _variant(r: Row[Any]) -> ScriptVariant:
    return ScriptVariant(
        id=r.id,
        offer_id=r.offer_id,
        language=r.language,
        text=r.text,
        author=r.author,
        proposed_at=r.proposed_at,
        kind=VariantKind(r.kind),
        decline_reason=r.decline_reason,
        status=VariantStatus(r.status),
        reviewed_by=r.reviewed_by,
        reviewed_at=r.reviewed_at,
        evidence=r.evidence,
    )
