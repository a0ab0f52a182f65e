"""The supervisor dashboard: live mode and queues, KPIs, leaderboards, charts, gate, audit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from servesell.http import ConnDep, DeskDep, EnginesDep
from servesell.queueing.settings import GateSettings
from servesell.service.campaign_eval import running_campaigns
from servesell.service.gate import change_gate
from servesell.service.handovers import overdue_handovers
from servesell.store import list_offers, load_gate_settings
from servesell.store.audit import list_audit
from servesell.web.access import SupervisorPage
from servesell.web.csrf import CsrfChecked
from servesell.web.dashboard import conversion_by_hour, conversion_by_offer, leaderboard, live
from servesell.web.deps import PagesDep
from servesell.web.pages import Pages, language_of

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.service.screen import CallDesk

router = APIRouter(include_in_schema=False)

AUDIT_ROWS = 15
Text = Annotated[str, Form(max_length=32)]
OptionalText = Annotated[str | None, Form(max_length=32)]


@router.get("/supervisor")
def dashboard(
    request: Request,
    user: SupervisorPage,
    desk: DeskDep,
    conn: ConnDep,
    pages: PagesDep,
    saved: str = "",
) -> HTMLResponse:
    """The whole dashboard for today (the live part refreshes itself)."""
    return pages.render(
        request,
        "supervisor.html",
        **_dashboard(desk, conn, pages, language_of(request)),
        gate=gate_values(load_gate_settings(conn)),
        gate_error=None,
        saved=saved == "gate",
    )


def gate_values(gate: GateSettings) -> dict[str, str]:
    """The gate as the form shows it (the service target as a percentage)."""
    return {
        "kind": gate.kind,
        "max_waiting": str(gate.max_waiting),
        "budget_seconds": f"{gate.budget_seconds:g}",
        "hold_seconds": f"{gate.hold_seconds:g}",
        "target_percent": f"{gate.target_level * 100:g}",
        "target_seconds": f"{gate.target_seconds:g}",
    }


def _gate_from_form(current: GateSettings, fields: dict[str, str | None]) -> GateSettings:
    """``current`` with the fields the form sent; knobs the form does not show are kept.

    Raises ``ValidationError`` naming the field that is wrong.
    """
    update: dict[str, object] = {k: v for k, v in fields.items() if v is not None}
    percent = update.pop("target_percent", None)
    if percent is not None:
        try:
            update["target_level"] = float(str(percent)) / 100
        except ValueError:
            update["target_level"] = percent
    return GateSettings.model_validate({**current.model_dump(), **update})


def _dashboard(desk: CallDesk, conn: Connection, pages: Pages, language: str) -> dict[str, Any]:
    since, tz = pages.today_start(), pages.tz
    names = {o.id: o.name_in(language) for o in list_offers(conn)}
    return {
        "live": live(desk, conn, since=since, tz=tz),
        "agents": leaderboard(conn, group_by="agent", since=since, tz=tz),
        "teams": leaderboard(conn, group_by="team", since=since, tz=tz),
        "by_hour": conversion_by_hour(conn, since=since, tz=tz),
        "by_offer": conversion_by_offer(conn, names, since=since, tz=tz),
        "audit": list_audit(conn, limit=AUDIT_ROWS),
        "campaigns": running_campaigns(conn, pages.costs, tz=tz, currency=pages.currency),
        "since": since,
        "overdue": overdue_handovers(conn),
        "offer_names": names,
    }


@router.get("/supervisor/live")
def live_panel(
    request: Request, user: SupervisorPage, desk: DeskDep, conn: ConnDep, pages: PagesDep
) -> HTMLResponse:
    """Queues, mode and today's KPI tiles (htmx polls it)."""
    return pages.render(
        request, "_live.html", live=live(desk, conn, since=pages.today_start(), tz=pages.tz)
    )


@router.post("/supervisor/gate", response_model=None)
def gate(
    request: Request,
    user: SupervisorPage,
    desk: DeskDep,
    engines: EnginesDep,
    pages: PagesDep,
    _: CsrfChecked,
    kind: Text,
    max_waiting: Text,
    budget_seconds: Text,
    hold_seconds: OptionalText = None,
    target_percent: OptionalText = None,
    target_seconds: OptionalText = None,
) -> Response:
    """Change the load gate (same rules and audit as ``PUT /v1/gate``)."""
    fields = {
        "kind": kind,
        "max_waiting": max_waiting,
        "budget_seconds": budget_seconds,
        "hold_seconds": hold_seconds,
        "target_percent": target_percent,
        "target_seconds": target_seconds,
    }
    with desk.db.connect() as conn:
        current = load_gate_settings(conn)
    try:
        settings = _gate_from_form(current, fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        error = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
        shown = {**gate_values(current), **{k: v for k, v in fields.items() if v is not None}}
        with desk.db.connect() as conn:
            return pages.render(
                request,
                "supervisor.html",
                status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                **_dashboard(desk, conn, pages, language_of(request)),
                gate=shown,
                gate_error=error,
                saved=False,
            )
    change_gate(desk.db, settings, actor=user.name, engines=engines)
    return RedirectResponse("/supervisor?saved=gate#gate", status.HTTP_303_SEE_OTHER)
