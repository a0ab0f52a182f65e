"""The agent desktop: the CTI screen pop, one-click outcomes, and the live mode banner."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError

from servesell.api.deps import ConnDep, RuntimeDep
from servesell.api.schemas import Id, Name
from servesell.domain import CallContext, Channel, Outcome, OutcomeResult
from servesell.errors import NotFoundError, OutcomeError
from servesell.service.queues import queue_mode
from servesell.service.screen import ScreenPop, revisit, screen_pop
from servesell.store import contact_history, get_decision, record_outcome
from servesell.store.db import write_transaction
from servesell.web.access import AgentPage
from servesell.web.csrf import CsrfChecked
from servesell.web.deps import PagesDep, is_htmx
from servesell.web.desktop import (
    DECLINE_CHOICES,
    SEGMENT_FIELD,
    contact_points,
    flags,
    follow_ups,
    offer_cards,
)
from servesell.web.session import new_token

router = APIRouter(include_in_schema=False)

_ID = TypeAdapter(Id)
_NAME = TypeAdapter(Name)
HISTORY_DAYS = 90
Text = Annotated[str, Form(max_length=200)]


@router.get("/agent", response_model=None)
def desktop(
    request: Request,
    user: AgentPage,
    runtime: RuntimeDep,
    conn: ConnDep,
    pages: PagesDep,
    customer: str = "",
    call: str = "",
    reason: str = "other",
    queue: str = "default",
) -> Response:
    """The screen pop ``/agent?customer=ID&call=CALL_ID`` (without a customer: a call form)."""
    mode = queue_mode(runtime, conn, queue if _valid(_NAME, queue) else "default")
    if not customer:
        return pages.render(request, "agent_start.html", mode=mode, error=None, customer="")
    problem = _bad_request(customer, call, reason, queue)
    if problem:
        return pages.render(
            request, "agent_start.html", status_code=400, mode=mode, error=problem, customer=""
        )
    if not call:
        query = {"customer": customer, "call": f"web-{new_token()[:12]}", "reason": reason}
        return RedirectResponse(f"/agent?{urlencode(query)}", status.HTTP_303_SEE_OTHER)
    context = CallContext(
        at=dt.datetime.now(dt.UTC), reason=reason, agent_id=user.name, call_id=call, queue=queue
    )
    try:
        pop = screen_pop(runtime, customer, context, reuse=True)
    except NotFoundError:
        return pages.render(
            request,
            "agent_start.html",
            status_code=404,
            mode=mode,
            error="agent.unknown_customer",
            customer=customer,
        )
    return pages.render(request, "agent.html", mode=mode, **_screen(conn, pop))


def _bad_request(customer: str, call: str, reason: str, queue: str) -> str | None:
    """The message key when a parameter breaks the API's rules for ids and names."""
    ids = _valid(_ID, customer) and (not call or _valid(_ID, call))
    return None if ids and _valid(_NAME, reason) and _valid(_NAME, queue) else "agent.bad_id"


def _valid(kind: TypeAdapter[str], value: str) -> bool:
    try:
        kind.validate_python(value)
    except ValidationError:
        return False
    return True


def _screen(conn: ConnDep, pop: ScreenPop) -> dict[str, Any]:
    since = pop.decision.made_at - dt.timedelta(days=HISTORY_DAYS)
    history = [
        c for c in contact_history(conn, pop.customer.id, since) if c.decision_id != pop.decision.id
    ]
    return {
        "pop": pop,
        "customer": pop.customer,
        "segment": pop.customer.attributes.get(SEGMENT_FIELD),
        "flags": flags(pop.customer),
        "contacts": contact_points(pop.customer),
        "history": list(reversed(history))[:10],
        "offer_names": {k: o.name for k, o in pop.offers.items()},
        "cards": offer_cards(pop),
        "follow_ups": follow_ups(pop),
        "decline_reasons": DECLINE_CHOICES,
    }


@router.post("/agent/outcome", response_model=None)
def outcome(
    request: Request,
    user: AgentPage,
    runtime: RuntimeDep,
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
        with write_transaction(runtime.db) as conn:
            record_outcome(conn, recorded)
    except OutcomeError as exc:
        error = str(exc)
    except NotFoundError:
        return pages.respond(request, "", status.HTTP_404_NOT_FOUND)
    with runtime.db.connect() as conn:
        pop = revisit(conn, runtime.engine(conn), get_decision(conn, decision_id))
    if not is_htmx(request):
        query = {"customer": pop.customer.id, "call": pop.decision.context.call_id or ""}
        return RedirectResponse(f"/agent?{urlencode(query)}", status.HTTP_303_SEE_OTHER)
    card = next(c for c in offer_cards(pop) if c.offer_id == offer_id)
    return pages.render(
        request, "_offer.html", card=card, error=error, decline_reasons=DECLINE_CHOICES
    )


@router.get("/agent/mode")
def mode_banner(
    request: Request,
    user: AgentPage,
    runtime: RuntimeDep,
    conn: ConnDep,
    pages: PagesDep,
    queue: str = "default",
) -> HTMLResponse:
    """The serve/sell banner (htmx polls it)."""
    mode = queue_mode(runtime, conn, queue if _valid(_NAME, queue) else "default")
    return pages.render(request, "_mode.html", mode=mode)
