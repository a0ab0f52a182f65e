"""Scripts from the front line: the agent proposes, the supervisor reviews, everyone learns.

``POST /agent/variants`` keeps an agent's "I say it this way" from a desktop card;
``/supervisor/scripts`` lists proposals to activate or reject and compares the live
variants (take-up with 95% intervals, the unbiased IPS estimate, P(best)), with a button
that promotes winners; ``/best-practice`` shows the winning scripts with their authors and
the objection answers by decline reason.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servesell.domain import LANGUAGES
from servesell.domain.variant import VariantKind, VariantStatus
from servesell.errors import FrontlineError, NotFoundError
from servesell.http import ConnDep, DbDep, DeskDep
from servesell.service.variants import best_practice, compare, promote_winners, propose, review
from servesell.store import list_offers
from servesell.store.variants import list_variants
from servesell.web.access import AgentPage, SupervisorPage
from servesell.web.csrf import CsrfChecked
from servesell.web.deps import PagesDep
from servesell.web.pages import language_of

router = APIRouter(include_in_schema=False)

Short = Annotated[str, Form(max_length=64)]
Script = Annotated[str, Form(max_length=4000)]


@router.post("/agent/variants", response_model=None)
def propose_variant(
    request: Request,
    user: AgentPage,
    desk: DeskDep,
    db: DbDep,
    pages: PagesDep,
    _: CsrfChecked,
    decision_id: Short,
    offer_id: Short,
    language: Short,
    text: Script,
    decline_reason: Short = "",
) -> Response:
    """Keep the agent's proposal and go back to the call, saying it went to review."""
    try:
        pop = desk.revisit(decision_id)
        propose(db, offer_id=offer_id, language=language, text=text, author=user.name,
                decline_reason=decline_reason or None)  # fmt: skip
    except NotFoundError:
        return pages.respond(request, "", status.HTTP_404_NOT_FOUND)
    except FrontlineError as exc:
        return pages.message(request, "variant.refused", "variant.refused_body",
                             status.HTTP_400_BAD_REQUEST, why=str(exc))  # fmt: skip
    query = {"customer": pop.customer.id, "call": pop.decision.context.call_id or "",
             "proposed": "1"}  # fmt: skip
    return RedirectResponse(f"/agent?{urlencode(query)}", status.HTTP_303_SEE_OTHER)


@router.get("/supervisor/scripts")
def scripts_page(
    request: Request, user: SupervisorPage, conn: ConnDep, pages: PagesDep, done: str = ""
) -> HTMLResponse:
    """Proposals waiting for review, and how the live variants compare."""
    offers = {o.id: o for o in list_offers(conn)}
    proposed = list_variants(conn, statuses=(VariantStatus.PROPOSED,))
    live = list_variants(conn, statuses=(VariantStatus.ACTIVE, VariantStatus.PROMOTED),
                         kind=VariantKind.PITCH)  # fmt: skip
    pairs = sorted({(v.offer_id, v.language) for v in live if v.offer_id in offers})
    reports = [compare(conn, offers[o], lang) for o, lang in pairs]
    texts = {v.id: v for v in live}
    names = {k: o.name_in(language_of(request)) for k, o in offers.items()}
    return pages.render(request, "scripts.html", proposed=proposed, reports=reports,
                        texts=texts, names=names, done=done)  # fmt: skip


@router.post("/supervisor/scripts/{variant_id}/review", response_model=None)
def review_variant(
    request: Request,
    variant_id: str,
    user: SupervisorPage,
    desk: DeskDep,
    db: DbDep,
    pages: PagesDep,
    _: CsrfChecked,
    action: Short,
) -> Response:
    """Activate, reject or retire a variant (audited), then back to the list."""
    try:
        review(db, variant_id, action, by=user.name)
        desk.variants.invalidate()
    except NotFoundError:
        return pages.respond(request, "", status.HTTP_404_NOT_FOUND)
    except FrontlineError as exc:
        return pages.message(request, "variant.refused", "variant.refused_body",
                             status.HTTP_409_CONFLICT, why=str(exc))  # fmt: skip
    return RedirectResponse(f"/supervisor/scripts?done={action}", status.HTTP_303_SEE_OTHER)


@router.post("/supervisor/scripts/promote", response_model=None)
def promote(user: SupervisorPage, desk: DeskDep, db: DbDep, _: CsrfChecked) -> Response:
    """Promote every variant that wins with enough evidence."""
    promoted = promote_winners(db, by=user.name)
    desk.variants.invalidate()
    done = "promoted" if promoted else "none"
    return RedirectResponse(f"/supervisor/scripts?done={done}", status.HTTP_303_SEE_OTHER)


@router.get("/best-practice")
def best_practice_page(
    request: Request, user: AgentPage, conn: ConnDep, pages: PagesDep, language: str = ""
) -> HTMLResponse:
    """The winning scripts with who wrote them, and objection answers by decline reason."""
    shown = language if language in LANGUAGES else None
    offers = {o.id: o.name_in(language_of(request)) for o in list_offers(conn)}
    return pages.render(request, "best_practice.html", practice=best_practice(conn, shown),
                        names=offers)  # fmt: skip
