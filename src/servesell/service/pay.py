"""Incentives from the store: the plan (audited), competitions, an agent's pay statement.

A statement covers [since, until): the agent's sales recorded then, each at the piece rate
frozen with it (a referral offer's yes pays instead when its hand-over is completed, at
the rate frozen with the yes); cancellations recorded then of sales cancelled within the
plan's clawback window; prizes of competitions that ended then; the service gate judged on
the agent's surveys and handle times of the period's calls.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import case, func, select

from servesell.errors import ServesellError
from servesell.report.competitions import Competition, Standing, standings, winners
from servesell.report.incentives import (
    AgentService,
    IncentivePlan,
    PayStatement,
    StatementLine,
    statement,
)
from servesell.service.kpis import kpis_by
from servesell.store import list_agents, list_offers
from servesell.store.audit import audit
from servesell.store.handovers import completed_referrals
from servesell.store.incentives import (
    close_competition,
    current_plan,
    get_competition,
    list_competitions,
    save_competition,
    save_plan,
)
from servesell.store.sales import cancelled_of, sales_of
from servesell.store.tables import calls, surveys

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy import Engine as Database

_M = TypeVar("_M", bound=BaseModel)


def set_plan(db: Database, data: dict[str, Any], *, actor: str) -> IncentivePlan:
    """Validate and store a new plan version (in force for sales recorded from now). Audited."""
    plan = _valid(IncentivePlan, data, "incentive plan")
    with db.begin() as conn:
        before = current_plan(conn)
        save_plan(conn, plan, actor=actor)
        audit(
            conn,
            actor=actor,
            action="update",
            entity="incentives",
            entity_id="plan",
            before=before.model_dump(mode="json"),
            after=plan.model_dump(mode="json"),
        )
    return plan


def add_competition(db: Database, data: dict[str, Any], *, actor: str) -> Competition:
    """Validate and store a competition. Audited."""
    competition = _valid(Competition, data, "competition")
    with db.begin() as conn:
        save_competition(conn, competition)
        audit(
            conn,
            actor=actor,
            action="update",
            entity="competition",
            entity_id=competition.id,
            before=None,
            after=competition.model_dump(mode="json"),
        )
    return competition


def competition_standings(
    conn: Connection, competition_id: str, *, tz: dt.tzinfo
) -> tuple[Competition, list[Standing], Any]:
    """The competition, its standings now, and its frozen winners (``None`` while open)."""
    competition, frozen = get_competition(conn, competition_id)
    since, until = _days(competition.starts_on, competition.ends_on, tz)
    rows = kpis_by(conn, tz=tz, since=since, until=until, group_by=competition.scope)
    return competition, standings(competition, rows), frozen


def close(db: Database, competition_id: str, *, tz: dt.tzinfo, actor: str) -> list[Standing]:
    """Freeze the winners of an ended competition (refused before its last day is over)."""
    with db.begin() as conn:
        competition, ranked, frozen = competition_standings(conn, competition_id, tz=tz)
        if frozen is not None:
            raise ServesellError(f"competition {competition_id!r} is already closed")
        if dt.datetime.now(tz).date() <= competition.ends_on:
            raise ServesellError(f"competition {competition_id!r} runs until {competition.ends_on}")
        won = winners(competition, ranked)
        close_competition(conn, competition_id, [_standing(s) for s in won])
        audit(conn, actor=actor, action="close", entity="competition",
              entity_id=competition_id, before=None, after=[_standing(s) for s in won])  # fmt: skip
    return won


def pay_statement(
    conn: Connection, agent_id: str, *, since: dt.datetime, until: dt.datetime, tz: dt.tzinfo
) -> PayStatement:
    """The pay statement of ``agent_id`` for [since, until) (module docstring)."""
    plan = current_plan(conn)
    referrals = {o.id for o in list_offers(conn) if o.is_referral}
    lines = [
        StatementLine("sale", s.recorded_at, f"{s.offer_id} ({s.channel})", s.piece_rate)
        for s in sales_of(conn, agent_id, since, until)
        if s.offer_id not in referrals  # a referral pays when the specialist completes it
    ]
    lines.extend(
        StatementLine("sale", h.closed_at or until, f"{h.offer_id} (referral completed)", rate)
        for h, rate in completed_referrals(conn, agent_id, since, until)
    )
    window = dt.timedelta(days=plan.clawback_days)
    for sale, cancelled_at in cancelled_of(conn, agent_id, since, until):
        if cancelled_at - sale.recorded_at <= window:
            what = f"{sale.offer_id} cancelled {cancelled_at.astimezone(tz):%Y-%m-%d}"
            lines.append(StatementLine("clawback", cancelled_at, what, -sale.piece_rate))
    lines.extend(_prizes(conn, agent_id, since, until, tz))
    service = agent_service(conn, agent_id, since=since, until=until)
    return statement(agent_id, since=since, until=until, lines=lines, service=service, plan=plan)


def agent_service(
    conn: Connection, agent_id: str, *, since: dt.datetime, until: dt.datetime
) -> AgentService:
    """Surveys and handle times of the agent's calls started in [since, until)."""
    mine = (calls.c.agent_id == agent_id, calls.c.started_at >= since, calls.c.started_at < until)
    n, aht = conn.execute(select(func.count(), func.avg(calls.c.handle_seconds)).where(*mine)).one()
    polled = conn.execute(
        select(
            func.count(surveys.c.csat),
            func.avg(surveys.c.csat),
            func.count(surveys.c.resolved),
            func.sum(case((surveys.c.resolved.is_(True), 1), else_=0)),
        )
        .join(calls, calls.c.id == surveys.c.call_id)
        .where(*mine)
    ).one()
    answered, csat, resolved_n, resolved_yes = polled
    return AgentService(
        surveys=int(answered or 0),
        csat=float(csat) if csat is not None else None,
        resolved=float(resolved_yes or 0) / resolved_n if resolved_n else None,
        aht_seconds=float(aht) if n and aht is not None else None,
    )


def _prizes(
    conn: Connection, agent_id: str, since: dt.datetime, until: dt.datetime, tz: dt.tzinfo
) -> list[StatementLine]:
    team = next((a.team_id for a in list_agents(conn) if a.id == agent_id), None)
    out = []
    for competition, frozen in list_competitions(conn):
        ended = dt.datetime.combine(competition.ends_on, dt.time(23, 59), tzinfo=tz)
        if not frozen or not since <= ended < until or competition.prize <= 0:
            continue
        key = agent_id if competition.scope == "agent" else team
        for won in frozen:
            if won["key"] == key:
                what = f"{competition.name}: rank {won['rank']}"
                out.append(StatementLine("prize", ended, what, competition.prize))
    return out


def _days(first: dt.date, last: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    since = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    return since, dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=tz)


def _standing(s: Standing) -> dict[str, Any]:
    return {"rank": s.rank, "key": s.key, "value": s.value, "calls": s.calls}


def _valid(model: type[_M], data: dict[str, Any], what: str) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ServesellError(f"{what}: {where}: {first['msg']}") from None
