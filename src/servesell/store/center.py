"""Teams, agents and the inbound calls they answered."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from servesell.domain.center import Agent, Call, Team
from servesell.store.tables import agents, calls, teams
from servesell.store.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection


def upsert_teams(conn: Connection, batch: Iterable[Team]) -> None:
    """Insert or update teams by id."""
    upsert(conn, teams, [{"id": t.id, "name": t.name} for t in batch])


def upsert_agents(conn: Connection, batch: Iterable[Agent]) -> None:
    """Insert or update agents by id (their teams must exist)."""
    rows = [{"id": a.id, "name": a.name, "team_id": a.team_id, "skill": a.skill} for a in batch]
    upsert(conn, agents, rows)


def list_agents(conn: Connection) -> list[Agent]:
    """Every agent, ordered by id."""
    rows = conn.execute(select(agents).order_by(agents.c.id)).all()
    return [Agent(id=r.id, name=r.name, team_id=r.team_id, skill=r.skill) for r in rows]


def list_teams(conn: Connection) -> list[Team]:
    """Every team, ordered by id."""
    return [Team(id=r.id, name=r.name) for r in conn.execute(select(teams).order_by(teams.c.id))]


def insert_calls(conn: Connection, batch: Iterable[Call]) -> None:
    """Append inbound calls to the call log."""
    rows = [
        {
            "id": c.id,
            "customer_id": c.customer_id,
            "agent_id": c.agent_id,
            "queue": c.queue,
            "started_at": c.started_at,
            "reason": c.reason,
            "handle_seconds": c.handle_seconds,
        }
        for c in batch
    ]
    if rows:
        conn.execute(insert(calls), rows)
