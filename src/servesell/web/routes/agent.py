"""The agent desktop: the CTI screen pop, one-click outcomes, and the live mode banner."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servesell.domain import LANGUAGES, CallContext, Channel, Outcome, OutcomeResult
from servesell.errors import AccessError, NotFoundError, OutcomeError
from servesell.http import ConnDep, DeskDep, SettingsDep, is_id, is_name
from servesell.service.access import check_own_call, check_serving
from servesell.service.outbound_desk import (
    callbacks_of,
    complete_inbound,
    note_arbitration,
    open_tasks_of,
)
from servesell.service.screen import CallDesk, ScreenPop
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
        mine = callbacks_of(conn, user.name, dt.datetime.now(dt.UTC))
        return pages.render(
            request,
            "agent_start.html",
            status_code=code,
            mode=mode,
            error=problem,
            customer="",
            callbacks=mine,
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
        if pop.revisited:
            check_own_call(user, pop.decision)
    except AccessError:
        return _not_yours(request, pages)
    except NotFoundError:
        return pages.render(
            request,
            "agent_start.html",
            status_code=status.HTTP_404_NOT_FOUND,
            mode=desk.mode(conn, queue, at=context.at),
            error="agent.unknown_customer",
            customer=customer,
        )
    outbound = _outbound(desk, pop, context)
    return pages.render(
        request,
        "agent.html",
        mode=pop.mode,
        proposed=proposed == "1",
        front=front_line(conn, pop, pages.tz),
        **_screen(pop, language_of(request)),
        **outbound,
    )


def _outbound(desk: CallDesk, pop: ScreenPop, context: CallContext) -> dict[str, Any]:
    """Open outbound tasks of the caller and the agent's callbacks; who won the contact."""
    from servesell.store.db import write_transaction

    with write_transaction(desk.db) as conn:
        tasks = open_tasks_of(conn, pop.customer.id, context.at)
        if tasks and not pop.revisited:
            note_arbitration(
                conn,
                decision_id=pop.decision.id,
                customer_id=pop.customer.id,
                call_reason=context.reason,
                complaint_reasons=desk.engines.get(conn).policy.complaint_reasons,
                shown_offers=len(pop.decision.shown),
                at=context.at,
            )
        mine = callbacks_of(conn, context.agent_id or "", context.at)
    return {"tasks": tasks, "callbacks": mine}


@router.post("/agent/task", response_model=None)
def task_done(
    request: Request,
    user: AgentPage,
    desk: DeskDep,
    pages: PagesDep,
    settings: SettingsDep,
    _: CsrfChecked,
    task_id: Annotated[int, Form(ge=1)],
    customer: Text,
    call: Text,
) -> Response:
    """Close an open outbound task as done in this inbound call, then show the call again.

    Only the agent serving that customer now (or a supervisor) may close it.
    """
    from servesell.store.db import write_transaction

    with write_transaction(desk.db) as conn:
        now = dt.datetime.now(dt.UTC)
        try:
            check_serving(conn, user, customer, now=now, open_minutes=settings.call_open_minutes)
        except AccessError:
            return _not_yours(request, pages)
        complete_inbound(
            conn,
            task_id,
            customer_id=customer,
            agent_id=user.name,
            call_id=call,
            at=dt.datetime.now(dt.UTC),
        )
    query = {"customer": customer, "call": call}
    return RedirectResponse(f"/agent?{urlencode(query)}", status.HTTP_303_SEE_OTHER)


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
        desk.record(recorded, by=user)
    except AccessError:
        return _not_yours(request, pages)
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


def _not_yours(request: Request, pages: PagesDep) -> Response:
    """403: another agent's call (an agent acts only on their own calls)."""
    return pages.message(
        request, "forbidden.title", "forbidden.not_your_call", status.HTTP_403_FORBIDDEN
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
