"""The journeys' HTTP endpoints: events in, the day's list out, dispositions back."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient

from journeys.test_scheduler import _journey
from servesell.config import Settings
from servesell.server import create_app
from servesell.service.journeys import run_journeys
from servesell.store.journeys import save_journeys
from servesell.store.users import Role, add_user

if TYPE_CHECKING:
    from sqlalchemy import Engine


def test_events_list_and_disposition_over_http(db: Engine) -> None:
    with db.begin() as conn:
        save_journeys(conn, [_journey()])
        token = add_user(conn, "sup1", Role.SUPERVISOR, password="secret-pass")
    app = create_app(Settings(db_url=str(db.url), timezone="Asia/Shanghai"), seed=1)
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        rows = [
            {
                "event_id": "e1",
                "customer_id": "c1",
                "kind": "purchase",
                "at": "2026-03-01T10:00:00+08:00",
                "amount": 298,
            },
            {"event_id": "e2", "customer_id": "c1", "kind": "refund", "at": "2026-03-01"},
        ]
        first = client.post("/v1/events", json={"events": rows}, headers=auth)
        again = client.post("/v1/events", json={"events": rows[:1]}, headers=auth)
        assert first.status_code == 200, first.text
        assert first.json()["accepted"] == 1
        assert first.json()["rejected"][0]["column"] == "kind"
        assert again.json()["accepted"] == 1  # idempotent: accepted, stored once
        run_journeys(db, as_of=dt.datetime(2026, 3, 4, 1, tzinfo=dt.UTC))
        listed = client.get("/v1/call-lists/2026-03-04?agents=1", headers=auth).json()
        (call,) = listed["calls"]
        assert (call["customer_id"], call["gmt_offset"], listed["capacity"]) == ("c1", 8.0, 51)
        url = f"/v1/tasks/{call['task_id']}/disposition"
        done = client.post(
            url, json={"disposition": "answered", "at": "2026-03-04T10:20:00+08:00"}, headers=auth
        )
        assert done.json()["status"] == "done"
        twice = client.post(url, json={"disposition": "answered"}, headers=auth)
        assert twice.status_code == 409
        missing = client.post(
            "/v1/tasks/999/disposition", json={"disposition": "busy"}, headers=auth
        )
        assert missing.status_code == 404
