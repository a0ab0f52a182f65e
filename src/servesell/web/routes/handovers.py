"""Hand-overs to specialists (T+N): the agent books on a yes, the specialist records results.

``POST /agent/handover`` books the hand-over of a card's yes with a time slot (the form's
local time is the center's); ``/handovers`` lists the open hand-overs with a result form
and the funnel (intent → booked → contacted → completed within N days) with its drop-off,
overdue hand-overs flagged.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servesell.domain.handover import HandoverResult, HandoverStatus
from servesell.errors import FrontlineError, NotFoundError
from servesell.http import ConnDep, DbDep, DeskDep
from servesell.service.handovers import book, funnel_report, report_result
from servesell.store import list_offers
from servesell.store.handovers import list_handovers
from servesell.web.access import AgentPage, SpecialistPage
from servesell.web.csrf import CsrfChecked
from servesell.web.deps import PagesDep
from servesell.web.pages import language_of

router = APIRouter(include_in_schema=False)

Short = Annotated[str, Form(max_length=64)]
FUNNEL_DAYS = 30


@router.post("/agent/handover", response_model=None)
def book_handover(
    request: Request,
    user: AgentPage,
    desk: DeskDep,
    db: DbDep,
    pages: PagesDep,
    _: CsrfChecked,
    decision_id: Short,
    offer_id: Short,
    slot: Short,
) -> Response:
    """Book the hand-over of this yes at ``slot`` (center time) and go back to the call."""
    try:
        slot_at = dt.datetime.fromisoformat(slot).replace(tzinfo=pages.tz)
    except ValueError:
        return pages.message(request, "handover.refused", "handover.bad_slot",
                             status.HTTP_400_BAD_REQUEST, slot=slot)  # fmt: skip
    try:
        pop = desk.revisit(decision_id)
        book(db, decision_id=decision_id, offer_id=offer_id, slot_at=slot_at)
    except NotFoundError:
        return pages.respond(request, "", status.HTTP_404_NOT_FOUND)
    except FrontlineError as exc:
        return pages.message(request, "handover.refused", "variant.refused_body",
                             status.HTTP_409_CONFLICT, why=str(exc))  # fmt: skip
    query = {"customer": pop.customer.id, "call": pop.decision.context.call_id or ""}
    return RedirectResponse(f"/agent?{urlencode(query)}", status.HTTP_303_SEE_OTHER)


@router.get("/handovers")
def handovers_page(
    request: Request, user: SpecialistPage, conn: ConnDep, pages: PagesDep
) -> HTMLResponse:
    """Open hand-overs with a result form, and the funnel of the last 30 days."""
    now = dt.datetime.now(dt.UTC)
    report = funnel_report(conn, since=now - dt.timedelta(days=FUNNEL_DAYS), until=now, now=now)
    overdue = {h.id for h in report.overdue}
    names = {o.id: o.name_in(language_of(request)) for o in list_offers(conn)}
    return pages.render(request, "handovers.html", open=list_handovers(conn, open_only=True),
                        report=report, overdue=overdue, days=FUNNEL_DAYS, names=names)  # fmt: skip


@router.post("/handovers/{handover_id}/result", response_model=None)
def record_result(
    request: Request,
    handover_id: int,
    user: SpecialistPage,
    db: DbDep,
    pages: PagesDep,
    _: CsrfChecked,
    result: Short,
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Record contacted, completed or lost (by the signed-in specialist, now)."""
    try:
        status_ = HandoverStatus(result)
        done = HandoverResult(handover_id, status_, dt.datetime.now(dt.UTC), user.name, note)
        report_result(db, done)
    except ValueError:
        return pages.message(request, "handover.refused", "handover.bad_result",
                             status.HTTP_400_BAD_REQUEST, result=result)  # fmt: skip
    except FrontlineError as exc:
        return pages.message(request, "handover.refused", "variant.refused_body",
                             status.HTTP_409_CONFLICT, why=str(exc))  # fmt: skip
    return RedirectResponse("/handovers", status.HTTP_303_SEE_OTHER)
