"""The incentive plan's versions and the competitions, with their frozen winners."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from servesell.errors import NotFoundError
from servesell.report.competitions import Competition
from servesell.report.incentives import IncentivePlan
from servesell.store.tables import competitions, incentive_plans
from servesell.store.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection


def save_plan(conn: Connection, plan: IncentivePlan, *, actor: str) -> None:
    """Append a new version of the plan, in force from now."""
    conn.execute(
        insert(incentive_plans),
        {
            "valid_from": dt.datetime.now(dt.UTC),
            "plan": plan.model_dump(mode="json"),
            "actor": actor,
        },
    )


def current_plan(conn: Connection) -> IncentivePlan:
    """The newest plan version (the default plan before any was saved)."""
    spec = conn.execute(
        select(incentive_plans.c.plan).order_by(incentive_plans.c.id.desc()).limit(1)
    ).scalar_one_or_none()
    return IncentivePlan() if spec is None else IncentivePlan.model_validate(spec)


def save_competition(conn: Connection, competition: Competition) -> None:
    """Insert or replace a competition (its frozen winners are kept)."""
    known = conn.execute(
        select(competitions.c.created_at, competitions.c.closed_at, competitions.c.winners).where(
            competitions.c.id == competition.id
        )
    ).first()
    upsert(
        conn,
        competitions,
        [
            {
                "id": competition.id,
                "spec": competition.model_dump(mode="json"),
                "created_at": known.created_at if known else dt.datetime.now(dt.UTC),
                "closed_at": known.closed_at if known else None,
                "winners": known.winners if known else None,
            }
        ],
    )


def list_competitions(conn: Connection) -> list[tuple[Competition, Any]]:
    """Every competition with its frozen winners (``None`` while open), by id."""
    rows = conn.execute(select(competitions).order_by(competitions.c.id))
    return [(Competition.model_validate(r.spec), r.winners) for r in rows]


def get_competition(conn: Connection, competition_id: str) -> tuple[Competition, Any]:
    """One competition and its frozen winners; :class:`NotFoundError` when unknown."""
    row = conn.execute(select(competitions).where(competitions.c.id == competition_id)).first()
    if row is None:
        raise NotFoundError("competition", competition_id)
    return Competition.model_validate(row.spec), row.winners


def close_competition(conn: Connection, competition_id: str, winners: list[dict[str, Any]]) -> None:
    """Freeze the winners of a competition."""
    conn.execute(
        update(competitions)
        .where(competitions.c.id == competition_id)
        .values(closed_at=dt.datetime.now(dt.UTC), winners=winners)
    )
