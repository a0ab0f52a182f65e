"""The offer catalog (CRUD, audited) and rule validation with an eligible-customer preview."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from servesell.api.schemas import AUTHED, RuleCheckIn, RuleCheckOut, RuleProblem, errors
from servesell.domain import Offer
from servesell.http import AdminDep, AgentDep, ConnDep, DbDep, EnginesDep, PreviewsDep
from servesell.service.catalog import check_rule, require_id, retire_offer, save_offer
from servesell.store import get_offer, list_offers

router = APIRouter(prefix="/v1", tags=["offers"], responses={**AUTHED, **errors(404)})

OfferId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]


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
    offer_id: OfferId,
    body: Offer,
    db: DbDep,
    engines: EnginesDep,
    user: AdminDep,
    response: Response,
) -> Offer:
    """Create or replace an offer; its rule must validate against the schema. Audited."""
    data = body.model_dump()
    require_id(data, offer_id)
    offer, created = save_offer(db, data, actor=user.name, engines=engines)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return offer


@router.delete("/offers/{offer_id}")
def delete_offer(offer_id: OfferId, db: DbDep, engines: EnginesDep, user: AdminDep) -> Offer:
    """Retire an offer (kept for the decision log's sake, never offered again). Audited."""
    return retire_offer(db, offer_id, actor=user.name, engines=engines)


@router.post("/rules/validate")
def validate_rule(
    body: RuleCheckIn, conn: ConnDep, previews: PreviewsDep, user: AgentDep
) -> RuleCheckOut:
    """Check a rule against the declared schema; optionally count the customers it selects.

    The count is bounded so it cannot starve live calls: above a size it is estimated from
    a sample, it stops after a time limit (also an estimate, ``estimate: true``), and a
    user runs one preview at a time (429 with ``Retry-After`` otherwise).
    """
    if body.preview:
        with previews.slot(user.name):
            check = check_rule(conn, body.rule, preview=True, limits=previews.limits)
    else:
        check = check_rule(conn, body.rule)
    if check.error is not None:
        problem = RuleProblem(message=check.error.message, position=check.error.position)
        return RuleCheckOut(valid=False, errors=[problem])
    return RuleCheckOut(
        valid=True,
        errors=[],
        eligible_customers=check.eligible,
        customers_scanned=check.scanned,
        customers_total=check.total,
        estimate=check.estimate if body.preview else None,
    )
