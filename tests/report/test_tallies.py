"""The store sums a hand-built log into the tallies the KPIs divide (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from servesell.domain import Agent, Call, Team
from servesell.report.costs import CostModel
from servesell.service.kpis import kpis_by
from servesell.store import insert_calls, open_db, upsert_agents, upsert_teams
from servesell.store.tables import (
    agent_shifts,
    decision_candidates,
    decisions,
    outcomes,
    sale_events,
)

DAY = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
TZ = dt.timezone(dt.timedelta(hours=8))


def _decision(conn, n: int, agent: str, queue: str, sold: bool, presented: bool) -> None:
    at = DAY + dt.timedelta(minutes=10 * n)
    conn.execute(
        insert(decisions),
        {
            "id": f"d{n}", "customer_id": f"C{n}", "call_id": f"k{n}", "agent_id": agent,
            "queue": queue, "reason": "other", "made_at": at, "mode": "sell",
            "budget_seconds": 60.0, "explored": False, "policy": "t", "ineligible": [],
        },
    )  # fmt: skip
    conn.execute(
        insert(decision_candidates),
        {
            "decision_id": f"d{n}", "offer_id": "card", "position": 0, "fate": "shown",
            "reason": "top", "channel": "in_call", "propensity": 0.1, "value": 100.0,
            "context_weight": 1.0, "lever": 1.0, "probability": 1.0, "rank": 1,
        },
    )  # fmt: skip
    if presented:
        conn.execute(
            insert(outcomes),
            {
                "decision_id": f"d{n}", "offer_id": "card", "customer_id": f"C{n}",
                "channel": "in_call", "result": "accepted" if sold else "declined",
                "recorded_at": at, "extra_handle_seconds": 60.0,
                "piece_rate": 5.0 if sold else None,
            },
        )  # fmt: skip


def test_agent_time_activations_and_outbound_are_tallied(any_db_url: str) -> None:
    db = open_db(any_db_url)
    with db.begin() as conn:
        upsert_teams(conn, [Team("T1", "one")])
        upsert_agents(conn, [Agent("A1", "a", "T1"), Agent("A2", "b", "T1")])
        plan = [("A1", "cards", True, True), ("A1", "cards", False, True),
                ("A2", "cards", False, False), ("A2", "outbound", True, True),
                ("A2", "outbound", False, True)]  # fmt: skip
        for n, (agent, queue, sold, presented) in enumerate(plan):
            _decision(conn, n, agent, queue, sold, presented)
        calls = [
            Call(f"k{n}", f"C{n}", DAY + dt.timedelta(minutes=10 * n), "other", 200.0, agent, q)
            for n, (agent, q, _, _) in enumerate(plan)
        ]
        calls.append(Call("k9", "C9", DAY, "other", 0.0, "A2", "outbound"))  # no answer
        insert_calls(conn, calls)
        event = {"decision_id": "d0", "offer_id": "card", "kind": "activated"}
        conn.execute(insert(sale_events), {**event, "at": DAY, "recorded_at": DAY})
        shifts = [
            ("A1", dt.date(2026, 3, 2), 28800.0, 25200.0),
            ("A2", dt.date(2026, 3, 2), 28800.0, 21600.0),
            ("A2", dt.date(2026, 3, 3), 99.0, 99.0),
        ]
        conn.execute(
            insert(agent_shifts),
            [
                {"agent_id": a, "day": d, "paid_seconds": p, "logged_in_seconds": li}
                for a, d, p, li in shifts
            ],
        )
    since = dt.datetime(2026, 3, 2, tzinfo=TZ)
    costs = CostModel(agent_hour=36.0, supervisor_hour=60.0, message=0.0)
    with db.connect() as conn:
        total = kpis_by(conn, tz=TZ, since=since, until=since + dt.timedelta(days=1), costs=costs)
        by_agent = kpis_by(conn, tz=TZ, since=since, group_by="agent", costs=costs)
    db.dispose()
    k = total["all"]
    assert (k.calls, k.accepted, k.sales) == (5, 2, 2)
    assert k.contacts_per_hour == round(5 / 13, 2)  # 7 h + 6 h logged in
    assert k.occupancy == round(1000 / 46800, 4)
    assert k.utilisation == round(1000 / 57600, 4)
    assert k.cost_per_activation == round(k.selling_cost / 1, 2)
    assert k.selling_cost == round(240 * 42 / 3600 + 10.0, 2)
    assert k.gross_margin_per_agent == round((200 - k.selling_cost) / 2, 2)
    assert k.profit_per_day == round(200 - k.selling_cost, 2)
    assert (k.calls_per_agent_day, k.close_rate) == (3.0, 0.5)  # 3 dialled; 1 sale of 2 answered
    assert by_agent["A1"].contacts_per_hour == round(2 / 7, 2)
    assert by_agent["A2"].calls_per_agent_day == 3.0
