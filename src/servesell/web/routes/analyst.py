"""The analyst's catalog: offers list, editor, inline rule validation with eligibility preview."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servesell.errors import BusyError, CatalogError, RuleError
from servesell.http import ConnDep, DbDep, EnginesDep, PreviewsDep
from servesell.service.catalog import check_rule, save_offer
from servesell.store import list_offers
from servesell.store.offers import find_offer
from servesell.web.access import AdminPage
from servesell.web.csrf import CsrfChecked
from servesell.web.deps import PagesDep
from servesell.web.offer_form import CHANNELS, STATUSES, FormError, OfferForm

router = APIRouter(include_in_schema=False)

OfferId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]


@router.get("/analyst")
def catalog(
    request: Request, user: AdminPage, conn: ConnDep, pages: PagesDep, saved: str = ""
) -> HTMLResponse:
    """Every offer in the catalog."""
    return pages.render(request, "analyst.html", offers=list_offers(conn), saved=saved)


@router.get("/analyst/offers/new")
def new_offer(request: Request, user: AdminPage, pages: PagesDep) -> HTMLResponse:
    """The editor for a new offer."""
    return _editor(request, pages, OfferForm.blank(), None)


@router.get("/analyst/offers/{offer_id}", response_model=None)
def edit_offer(
    request: Request, offer_id: OfferId, user: AdminPage, conn: ConnDep, pages: PagesDep
) -> Response:
    """The editor for one offer."""
    offer = find_offer(conn, offer_id)
    if offer is None:
        return pages.message(
            request, "notfound.title", "notfound.body", status.HTTP_404_NOT_FOUND, what=offer_id
        )
    return _editor(request, pages, OfferForm.of(offer), None)


@router.post("/analyst/offers", response_model=None)
async def save(
    request: Request,
    user: AdminPage,
    db: DbDep,
    engines: EnginesDep,
    pages: PagesDep,
    _: CsrfChecked,
) -> Response:
    """Validate and store the offer (as ``PUT /v1/offers/{id}``); refused: errors in place."""
    form = OfferForm.posted(await request.form())
    try:
        offer, _created = await run_in_threadpool(
            save_offer, db, form.data(), actor=user.name, engines=engines
        )
    except (CatalogError, RuleError) as exc:
        refused = status.HTTP_422_UNPROCESSABLE_CONTENT
        return _editor(request, pages, form, FormError.of(exc), refused)
    return RedirectResponse(f"/analyst?saved={offer.id}", status.HTTP_303_SEE_OTHER)


@router.post("/analyst/rule")
def validate_rule(
    request: Request,
    user: AdminPage,
    conn: ConnDep,
    previews: PreviewsDep,
    pages: PagesDep,
    _: CsrfChecked,
    rule: Annotated[str, Form(max_length=4000)] = "",
    preview: Annotated[str, Form(max_length=8)] = "",
) -> HTMLResponse:
    """The rule's verdict under the editor (htmx): valid, or the error at its position.

    The preview is bounded like the API's (sample, time limit, one per user at a time).
    """
    if preview != "1":
        check = check_rule(conn, rule)
        return pages.render(request, "_rule_check.html", check=check, rule=rule, busy=False)
    try:
        with previews.slot(user.name):
            check = check_rule(conn, rule, preview=True, limits=previews.limits)
    except BusyError:
        check = check_rule(conn, rule)
        return pages.render(request, "_rule_check.html", check=check, rule=rule, busy=True)
    return pages.render(request, "_rule_check.html", check=check, rule=rule, busy=False)


def _editor(
    request: Request,
    pages: PagesDep,
    form: OfferForm,
    error: FormError | None,
    status_code: int = 200,
) -> HTMLResponse:
    return pages.render(
        request,
        "offer_edit.html",
        status_code=status_code,
        form=form,
        error=error,
        channels=CHANNELS,
        statuses=STATUSES,
    )
