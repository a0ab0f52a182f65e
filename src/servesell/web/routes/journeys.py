"""The supervisor's journeys page: steps by status, skip reasons, today's call list."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from servesell.http import ConnDep
from servesell.service.call_lists import call_list
from servesell.service.journey_overview import STATUSES, overview
from servesell.web.access import SupervisorPage
from servesell.web.deps import PagesDep

router = APIRouter(include_in_schema=False)
DAYS = 30


@router.get("/supervisor/journeys")
def journeys_page(
    request: Request, user: SupervisorPage, conn: ConnDep, pages: PagesDep
) -> HTMLResponse:
    """Each step's tasks of the last 30 days by status, and today's list for all teams."""
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(pages.tz).date()
    calls = call_list(conn, today, tz=pages.tz)
    return pages.render(
        request,
        "journeys.html",
        rows=overview(conn, since=now - dt.timedelta(days=DAYS)),
        statuses=STATUSES,
        calls=calls,
        days=DAYS,
    )
