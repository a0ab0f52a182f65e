"""What the supervisor dashboard shows: live queues, today's KPIs, leaderboards, charts.

Every figure comes from :func:`servesell.service.kpis.kpis_by` (one definition per KPI);
this module only arranges them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.report.kpis import TOTAL
from servesell.service.kpis import kpis_by
from servesell.store import list_agents, list_teams
from servesell.store.queues import list_queue_states
from servesell.web.charts import Chart, bar_chart, column_chart

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.report.kpis import Kpis
    from servesell.service.queues import QueueMode
    from servesell.service.screen import CallDesk


@dataclass(frozen=True, slots=True)
class Live:
    """The queues' modes now, today's totals, and the occupancy they report."""

    queues: list[QueueMode]
    today: Kpis | None
    occupancy: float | None


@dataclass(frozen=True, slots=True)
class Standing:
    """One row of a leaderboard."""

    rank: int
    key: str
    name: str
    team: str
    kpis: Kpis


def live(desk: CallDesk, conn: Connection, *, since: dt.datetime, tz: dt.tzinfo) -> Live:
    """Every reported queue's mode now (or the default queue's), and today's KPIs."""
    states = list_queue_states(conn)
    now = dt.datetime.now(dt.UTC)
    queues = [desk.mode(conn, s.queue, s, at=now) for s in states] or [
        desk.mode(conn, "default", at=now)
    ]
    staffed = sum(s.agents_staffed for s in states)
    busy = sum(s.agents_staffed - s.agents_available for s in states)
    today = kpis_by(conn, tz=tz, since=since).get(TOTAL)
    return Live(queues, today, busy / staffed if staffed else None)


def leaderboard(
    conn: Connection, *, group_by: str, since: dt.datetime, tz: dt.tzinfo
) -> list[Standing]:
    """Agents or teams by revenue today (then sales), with their piece-rate commission."""
    agents = {a.id: a for a in list_agents(conn)}
    teams = {t.id: t.name for t in list_teams(conn)}
    rows = kpis_by(conn, tz=tz, since=since, group_by=group_by)
    ranked = sorted(rows.items(), key=lambda kv: (-kv[1].revenue, -kv[1].accepted, kv[0]))
    standings = []
    for rank, (key, k) in enumerate(ranked, start=1):
        if group_by == "agent":
            agent = agents.get(key)
            name = agent.name if agent else key
            team = teams.get(agent.team_id, agent.team_id) if agent else ""
        else:
            name, team = teams.get(key, key), ""
        standings.append(Standing(rank, key, name, team, k))
    return standings


def conversion_by_hour(conn: Connection, *, since: dt.datetime, tz: dt.tzinfo) -> Chart:
    """Conversion (accepted / presented) per local hour today, all 24 hours."""
    rows = kpis_by(conn, tz=tz, since=since, group_by="hour")
    points = []
    for hour in (f"{h:02d}" for h in range(24)):
        k = rows.get(hour)
        text = _share_of(k) if k is not None and k.offers_presented else "—"
        points.append((hour, k.conversion_rate if k else 0.0, text))
    return column_chart(points)


def conversion_by_offer(
    conn: Connection, names: dict[str, str], *, since: dt.datetime, tz: dt.tzinfo
) -> Chart:
    """Conversion per offer today, best first."""
    rows = kpis_by(conn, tz=tz, since=since, group_by="offer")
    ranked = sorted(rows.items(), key=lambda kv: -kv[1].conversion_rate)
    return bar_chart(
        [
            (names.get(offer_id, offer_id), k.conversion_rate, _share_of(k))
            for offer_id, k in ranked
            if k.offers_presented
        ]
    )


def _share_of(k: Kpis) -> str:
    return f"{k.conversion_rate:.0%} ({k.accepted}/{k.offers_presented})"
