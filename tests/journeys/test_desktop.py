"""A customer with an open outbound task calls in: the desktop shows it, the call can close it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient
from sqlalchemy import select

from journeys.test_scheduler import _journey
from servesell.config import Settings
from servesell.journeys import EventKind
from servesell.journeys.schedule import Event
from servesell.server import create_app
from servesell.service.journeys import run_journeys
from servesell.store.journey_events import save_events
from servesell.store.journeys import save_journeys, tasks_where
from servesell.store.tables import audit_log, journey_tasks
from servesell.store.users import Role, add_user
from web.conftest import csrf_of, login

if TYPE_CHECKING:
    from sqlalchemy import Engine


def test_open_task_is_shown_done_inbound_and_the_winner_logged(db: Engine) -> None:
    now = dt.datetime.now(dt.UTC)
    with db.begin() as conn:
        save_journeys(conn, [_journey(days=(0,))])
        save_events(
            conn,
            [Event("e1", "c1", EventKind.PURCHASE, now - dt.timedelta(hours=1))],
            source="test",
        )
        add_user(conn, "agent1", Role.AGENT, password="secret-pass")
        add_user(conn, "agent2", Role.AGENT, password="secret-pass")
    run_journeys(db, as_of=now)
    app = create_app(Settings(db_url=str(db.url)), seed=1)
    with TestClient(app, base_url="http://testserver") as client:
        login(client, "agent1")
        page = client.get("/agent?customer=c1&call=call-1")
        assert page.status_code == 200, page.text
        assert "follow-up day 0" in page.text
        with db.connect() as conn:
            (task,) = tasks_where(conn, journey_tasks.c.status == "open")
        form = {
            "task_id": str(task.id),
            "customer": "c1",
            "call": "call-1",
            "csrf_token": csrf_of(page.text),
        }
        with TestClient(app, base_url="http://testserver") as other:
            login(other, "agent2")
            theirs = {**form, "csrf_token": csrf_of(other.get("/agent").text)}
            refused = other.post("/agent/task", data=theirs, follow_redirects=False)
            assert refused.status_code == 403, "only the agent serving the caller closes it"
        done = client.post("/agent/task", data=form, follow_redirects=False)
        assert done.status_code == 303
        assert "follow-up day 0" not in client.get("/agent?customer=c1&call=call-1").text
    with db.connect() as conn:
        (closed,) = tasks_where(conn)
        actions = conn.execute(select(audit_log.c.action, audit_log.c.after)).all()
    assert (closed.status, closed.reason) == ("done", "answered")
    arbitration = [a.after for a in actions if a.action == "contact_arbitration"]
    assert arbitration == [{"winner": "journey:formula", "why": arbitration[0]["why"]}]


def test_supervisor_sees_steps_by_status_and_todays_list(db: Engine) -> None:
    now = dt.datetime.now(dt.UTC)
    with db.begin() as conn:
        save_journeys(conn, [_journey(days=(0, 3))])
        events = [
            Event(f"e{c}", c, EventKind.PURCHASE, now - dt.timedelta(hours=1)) for c in ("c1", "c3")
        ]
        save_events(conn, events, source="test")
        add_user(conn, "sup1", Role.SUPERVISOR, password="secret-pass")
    run_journeys(db, as_of=now)
    app = create_app(Settings(db_url=str(db.url)), seed=1)
    with TestClient(app, base_url="http://testserver") as client:
        login(client, "sup1")
        page = client.get("/supervisor/journeys")
    assert page.status_code == 200, page.text
    assert 'data-step="formula/day0"' in page.text
    assert "unknown_time_zone 1" in page.text
