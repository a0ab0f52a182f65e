"""The pay statement an agent opens: this month's sales, commission, gate, clawbacks, prizes.

An agent sees their own statement (their user name is their agent id on calls);
supervisors may open any agent's with ``?agent=ID``.
"""

from __future__ import annotations

import datetime as dt
import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from servesell.http import ConnDep, is_id
from servesell.service.clock import EARLIEST, LATEST
from servesell.service.pay import pay_statement
from servesell.store import list_agents
from servesell.store.users import Role
from servesell.web.access import AgentPage
from servesell.web.deps import PagesDep

router = APIRouter(include_in_schema=False)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@router.get("/pay")
def pay(
    request: Request,
    user: AgentPage,
    conn: ConnDep,
    pages: PagesDep,
    month: str = "",
    agent: str = "",
) -> HTMLResponse:
    """The statement of ``agent`` (default: the signed-in agent) for ``month`` (default now)."""
    who = agent if agent and user.role.allows(Role.SUPERVISOR) else user.name
    now = dt.datetime.now(pages.tz)
    found = _MONTH.match(month) if month else None
    if month and (found is None or not _real_month(found) or not is_id(who)):
        return pages.message(request, "pay.title", "pay.bad_month", 422)
    year, number = (int(found.group(1)), int(found.group(2))) if found else (now.year, now.month)
    since = dt.datetime(year, number, 1, tzinfo=pages.tz)
    until = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=pages.tz)
    statement = pay_statement(conn, who, since=since, until=until, tz=pages.tz)
    names = {a.id: a.name for a in list_agents(conn)}
    return pages.render(
        request,
        "pay.html",
        statement=statement,
        agent_name=names.get(who, who),
        month=f"{year:04d}-{number:02d}",
    )


def _real_month(found: re.Match[str]) -> bool:
    """A month servesell computes with: 1-12 of a year in the clock rules' range."""
    return EARLIEST.year <= int(found.group(1)) < LATEST.year and 1 <= int(found.group(2)) <= 12
