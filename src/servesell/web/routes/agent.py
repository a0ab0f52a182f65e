"""The agent desktop: the CTI screen pop, one-click outcomes, and the live mode banner."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servesell.domain import LANGUAGES, CallContext, Channel, Outcome, OutcomeResult
from servesell.errors import NotFoundError, OutcomeError
from servesell.http import ConnDep, DeskDep, is_id, is_name
from servesell.service.screen import ScreenPop
from servesell.web.access import AgentPage
from servesell.web.csrf import CsrfChecked
from servesell.web.deps import PagesDep, is_htmx
from servesell.web.desktop import (
    DECLINE_CHOICES,
    SEGMENT_FIELD,
    contact_points,
    flags,
    follow_ups,
    front_line,
    offer_cards,
)
from servesell.web.pages import language_of
from servesell.web.session import new_token

router = APIRouter(include_in_schema=False)

HISTORY_ROWS = 10
Text = Annotated[str, Form(max_length=200)]


@router.get("/agent", response_model=None)
def desktop(
    request: Request,
    user: AgentPage,
    desk: DeskDep,
    conn: ConnDep,
    pages: PagesDep,
    customer: str = "",
    call: str = "",
    reason: str = "other",
    queue: str = "default",
    language: str = "",
    proposed: str = "",
) -> Response:
    """The screen pop ``/agent?customer=ID&call=CALL_ID`` (without a customer: a call form).

    ``language`` is the caller's language when the CTI knows it (the IVR's choice); the
    scripts are shown in it.
    """
    problem = _bad_request(customer, call, reason, queue, language) if customer else None
    if not customer or problem:
        shown = queue if is_name(queue) else "default"
        mode = desk.mode(conn, shown, at=dt.datetime.now(dt.UTC))
        code = status.HTTP_400_BAD_REQUEST if problem else status.HTTP_200_OK
        return pages.render(
            request, "agent_start.html", status_code=code, mode=mode, error=problem, customer=""
        )
    if not call:
        query = {"customer": customer, "call": f"web-{new_token()[:12]}", "reason": reason}
        return RedirectResponse(f"/agent?{urlencode(query)}", status.HTTP_303_SEE_OTHER)
    context = CallContext(
        at=dt.datetime.now(dt.UTC),
        reason=reason,
        agent_id=user.name,
        call_id=call,
        queue=queue,
        language=language or None,
    )
    try:
        pop = desk.screen_pop(customer, context, reuse=True)
    except NotFoundError:
        return pages.render(
            request,
            "agent_start.html",
            status_code=status.HTTP_404_NOT_FOUND,
            mode=desk.mode(conn, queue, at=context.at),
            error="agent.unknown_customer",
            customer=customer,
        )
    return pages.render(
        request,
        "agent.html",
        mode=pop.mode,
        proposed=proposed == "1",
        front=front_line(conn, pop, pages.tz),
        **_screen(pop, language_of(request)),
    )


def _bad_request(customer: str, call: str, reason: str, queue: str, language: str) -> str | None:
    """The message key when a parameter breaks the API's rules for ids and names."""
    ids = is_id(customer) and (not call or is_id(call))
    names = is_name(reason) and is_name(queue) and (not language or language in LANGUAGES)
    return None if ids and names else "agent.bad_id"


def _screen(pop: ScreenPop, language: str) -> dict[str, Any]:
    """What the screen shows: the history is the one the decision judged, newest first."""
    return {
        "pop": pop,
        "customer": pop.customer,
        "segment": pop.customer.attributes.get(SEGMENT_FIELD),
        "flags": flags(pop.customer),
        "contacts": contact_points(pop.customer),
        "history": list(reversed(pop.history))[:HISTORY_ROWS],
        "offer_names": {k: o.name_in(language) for k, o in pop.offers.items()},
        "cards": offer_cards(pop, language),
        "follow_ups": follow_ups(pop, language),
        "decline_reasons": DECLINE_CHOICES,
    }


@router.post("/agent/outcome", response_model=None)
def outcome(
    request: Request,
    user: AgentPage,
    desk: DeskDep,
    conn: ConnDep,
    pages: PagesDep,
    _: CsrfChecked,
    decision_id: Text,
    offer_id: Text,
    result: Annotated[OutcomeResult, Form()],
    decline_reason: Text = "",
) -> Response:
    """Record what happened to a flagged offer (as ``POST /v1/decisions/{id}/outcomes``)."""
    recorded = Outcome(
        decision_id=decision_id,
        offer_id=offer_id,
        result=result,
        recorded_at=dt.datetime.now(dt.UTC),
        channel=Channel.IN_CALL,
        decline_reason=(decline_reason or None) if result is OutcomeResult.DECLINED else None,
    )
    error = None
    try:
        desk.record(recorded)
    except OutcomeError as exc:
        error = str(exc)
    except NotFoundError:
        return pages.respond(request, "", status.HTTP_404_NOT_FOUND)
    pop = desk.revisit(decision_id)
    if not is_htmx(request):
        query = {"customer": pop.customer.id, "call": pop.decision.context.call_id or ""}
        return RedirectResponse(f"/agent?{urlencode(query)}", status.HTTP_303_SEE_OTHER)
    card = next(c for c in offer_cards(pop, language_of(request)) if c.offer_id == offer_id)
    return pages.render(
        request,
        "_offer.html",
        card=card,
        error=error,
        decline_reasons=DECLINE_CHOICES,
        front=front_line(conn, pop, pages.tz),
    )


@router.get("/agent/mode")
def mode_banner(
    request: Request,
    user: AgentPage,
    desk: DeskDep,
    conn: ConnDep,
    pages: PagesDep,
    queue: str = "default",
) -> HTMLResponse:
    """The serve/sell banner (htmx polls it)."""
    queue = queue if is_name(queue) else "default"
    return pages.render(
        request, "_mode.html", mode=desk.mode(conn, queue, at=dt.datetime.now(dt.UTC))
    )
