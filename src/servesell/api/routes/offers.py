"""The offer catalog (CRUD, audited) and rule validation with an eligible-customer preview."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from servesell.api.deps import AdminDep, AgentDep, ConnDep, RuntimeDep
from servesell.api.schemas import AUTHED, RuleCheckIn, RuleCheckOut, RuleProblem, errors
from servesell.domain import Offer, OfferStatus
from servesell.errors import CatalogError, RuleError
from servesell.ingest import validate_offer
from servesell.rules import compile_rule
from servesell.store import get_offer, iter_customers, list_offers, require_schema, upsert_offers
from servesell.store.audit import audit
from servesell.store.offers import find_offer

router = APIRouter(prefix="/v1", tags=["offers"], responses={**AUTHED, **errors(404)})

OfferId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
PREVIEW_LIMIT = 200_000


@router.get("/offers")
def read_offers(conn: ConnDep, user: AgentDep) -> list[Offer]:
    """Every offer in the catalog."""
    return list_offers(conn)


@router.get("/offers/{offer_id}")
def read_offer(offer_id: OfferId, conn: ConnDep, user: AgentDep) -> Offer:
    """One offer."""
    return get_offer(conn, offer_id)


@router.put("/offers/{offer_id}")
def put_offer(
    offer_id: OfferId, body: Offer, runtime: RuntimeDep, user: AdminDep, response: Response
) -> Offer:
    """Create or replace an offer; its rule must validate against the schema. Audited."""
    if body.id != offer_id:
        raise CatalogError(f"body id {body.id!r} differs from the path", offer_id=offer_id)
    with runtime.db.begin() as conn:
        offer = validate_offer(body.model_dump(), require_schema(conn))
        before = find_offer(conn, offer_id)
        upsert_offers(conn, [offer])
        audit(
            conn,
            actor=user.name,
            action="create" if before is None else "update",
            entity="offer",
            entity_id=offer_id,
            before=before.model_dump(mode="json") if before else None,
            after=offer.model_dump(mode="json"),
        )
    runtime.invalidate()
    if before is None:
        response.status_code = status.HTTP_201_CREATED
    return offer


@router.delete("/offers/{offer_id}")
def retire_offer(offer_id: OfferId, runtime: RuntimeDep, user: AdminDep) -> Offer:
    """Retire an offer (kept for the decision log's sake, never offered again). Audited."""
    with runtime.db.begin() as conn:
        before = get_offer(conn, offer_id)
        retired = before.model_copy(update={"status": OfferStatus.RETIRED})
        upsert_offers(conn, [retired])
        audit(
            conn,
            actor=user.name,
            action="retire",
            entity="offer",
            entity_id=offer_id,
            before=before.model_dump(mode="json"),
            after=retired.model_dump(mode="json"),
        )
    runtime.invalidate()
    return retired


@router.post("/rules/validate")
def validate_rule(body: RuleCheckIn, conn: ConnDep, user: AgentDep) -> RuleCheckOut:
    """Check a rule against the declared schema; optionally count the customers it selects."""
    schema = require_schema(conn)
    try:
        rule = compile_rule(body.rule, schema)
    except RuleError as exc:
        return RuleCheckOut(
            valid=False, errors=[RuleProblem(message=exc.message, position=exc.position)]
        )
    if not body.preview:
        return RuleCheckOut(valid=True, errors=[])
    today = dt.datetime.now(dt.UTC).date()
    scanned = eligible = 0
    for customer in iter_customers(conn, schema):
        scanned += 1
        eligible += rule(customer, today) is True
        if scanned >= PREVIEW_LIMIT:
            break
    return RuleCheckOut(
        valid=True, errors=[], eligible_customers=eligible, customers_scanned=scanned
    )
