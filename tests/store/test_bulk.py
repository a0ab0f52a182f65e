"""The hot path's bulk insert stores exactly what SQLAlchemy's insert would."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, insert, select, text

from servesell.store.bulk import append_rows
from servesell.store.tables import decisions

ROW = {
    "customer_id": "C1",
    "call_id": None,
    "agent_id": "A1",
    "queue": "default",
    "reason": "other",
    "made_at": dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC),
    "mode": "sell",
    "budget_seconds": 60.0,
    "explored": False,
    "policy": "default",
    "ineligible": ["a", "b"],
}


def test_append_rows_stores_the_same_values_as_an_insert(engine: Engine) -> None:
    columns = ("id", *ROW)
    with engine.begin() as conn:
        conn.execute(insert(decisions), {"id": "by-sqlalchemy", **ROW})
        append_rows(conn, decisions, columns, [("by-driver", *ROW.values())])
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT * FROM decisions ORDER BY id")).all()
        typed = conn.execute(select(decisions).order_by(decisions.c.id)).all()
    assert raw[0][1:] == raw[1][1:]  # the very same stored text and numbers
    assert typed[0][1:] == typed[1][1:]
    assert typed[0].made_at == ROW["made_at"]
