"""Changing the offer catalog: validate a rule (with an eligible-customer preview), save offers.

The API and the analyst's editor both go through these functions, so a rule is judged
and an offer is stored (and audited) the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from servesell.domain import OfferStatus
from servesell.errors import CatalogError, RuleError
from servesell.ingest import validate_offer
from servesell.rules import compile_rule
from servesell.store import get_offer, iter_customers, require_schema, upsert_offers
from servesell.store.audit import audit
from servesell.store.offers import find_offer

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy import Engine as Database

    from servesell.domain import Offer
    from servesell.service.engines import LiveEngine

PREVIEW_LIMIT = 200_000
"""Customers a preview scans at most (the count says how many it scanned)."""


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """Whether a rule compiles, its error if not, and optionally how many customers it selects."""

    error: RuleError | None = None
    eligible: int | None = None
    scanned: int | None = None

    @property
    def valid(self) -> bool:
        """True when the rule compiled against the schema."""
        return self.error is None


def check_rule(conn: Connection, rule: str, *, preview: bool = False) -> RuleCheck:
    """Compile ``rule`` against the declared schema; with ``preview`` count who it selects."""
    schema = require_schema(conn)
    try:
        compiled = compile_rule(rule, schema)
    except RuleError as exc:
        return RuleCheck(error=exc)
    if not preview:
        return RuleCheck()
    today = dt.datetime.now(dt.UTC).date()
    scanned = eligible = 0
    for customer in iter_customers(conn, schema):
        scanned += 1
        eligible += compiled(customer, today) is True
        if scanned >= PREVIEW_LIMIT:
            break
    return RuleCheck(eligible=eligible, scanned=scanned)


def save_offer(
    db: Database, data: dict[str, Any], *, actor: str, engines: LiveEngine | None = None
) -> tuple[Offer, bool]:
    """Validate ``data`` as an offer (rule included), store it, audit it; ``(offer, created)``.

    A :class:`~servesell.errors.CatalogError` or :class:`~servesell.errors.RuleError`
    leaves the catalog unchanged.
    """
    with db.begin() as conn:
        offer = validate_offer(data, require_schema(conn))
        before = find_offer(conn, offer.id)
        upsert_offers(conn, [offer])
        audit(
            conn,
            actor=actor,
            action="create" if before is None else "update",
            entity="offer",
            entity_id=offer.id,
            before=before.model_dump(mode="json") if before else None,
            after=offer.model_dump(mode="json"),
        )
    if engines is not None:
        engines.invalidate()
    return offer, before is None


def retire_offer(
    db: Database, offer_id: str, *, actor: str, engines: LiveEngine | None = None
) -> Offer:
    """Retire an offer: kept for the decision log's sake, never offered again. Audited."""
    with db.begin() as conn:
        before = get_offer(conn, offer_id)
        retired = before.model_copy(update={"status": OfferStatus.RETIRED})
        upsert_offers(conn, [retired])
        audit(
            conn,
            actor=actor,
            action="retire",
            entity="offer",
            entity_id=offer_id,
            before=before.model_dump(mode="json"),
            after=retired.model_dump(mode="json"),
        )
    if engines is not None:
        engines.invalidate()
    return retired


def require_id(data: dict[str, Any], offer_id: str) -> None:
    """Refuse a body whose ``id`` differs from the offer being edited."""
    if data.get("id") != offer_id:
        raise CatalogError(f"body id {data.get('id')!r} differs from the path", offer_id=offer_id)
