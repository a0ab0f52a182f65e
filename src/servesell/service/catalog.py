"""Changing the offer catalog: validate a rule (with an eligible-customer preview), save offers.

The API and the analyst's editor both go through these functions, so a rule is judged
and an offer is stored (and audited) the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from servesell.errors import CatalogError, RuleError
from servesell.ingest import validate_offer
from servesell.rules import compile_rule
from servesell.store import iter_customers, require_schema, upsert_offers
from servesell.store.audit import audit
from servesell.store.offers import find_offer

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.domain import Offer
    from servesell.service.runtime import Runtime

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


def save_offer(runtime: Runtime, data: dict[str, Any], *, actor: str) -> tuple[Offer, bool]:
    """Validate ``data`` as an offer (rule included), store it, audit it; ``(offer, created)``.

    A :class:`~servesell.errors.CatalogError` or :class:`~servesell.errors.RuleError`
    leaves the catalog unchanged.
    """
    with runtime.db.begin() as conn:
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
    runtime.invalidate()
    return offer, before is None


def require_id(data: dict[str, Any], offer_id: str) -> None:
    """Refuse a body whose ``id`` differs from the offer being edited."""
    if data.get("id") != offer_id:
        raise CatalogError(f"body id {data.get('id')!r} differs from the path", offer_id=offer_id)
