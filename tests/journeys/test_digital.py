"""Digital journey steps go through the same outbox, templates and contact history."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select

from servesell.journeys import EventKind, Journey
from servesell.journeys.schedule import Event
from servesell.service.journeys import run_journeys
from servesell.service.outbox import LinkBase
from servesell.store import contact_history, upsert_customers
from servesell.store.journey_events import save_events
from servesell.store.journeys import save_journeys, tasks_where
from servesell.store.tables import journey_tasks, outbox_messages
from support.channels import BASE_URL, customer, set_up

if TYPE_CHECKING:
    from sqlalchemy import Engine

LINKS = LinkBase(BASE_URL, dt.timezone(dt.timedelta(hours=8)))
T0 = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)


def _sms_journey() -> Journey:
    return Journey.model_validate(
        {
            "id": "sms_nudge",
            "trigger": {"event": "purchase"},
            "steps": [
                {
                    "name": "day1_sms",
                    "day": 1,
                    "windows": ["09:00-20:00"],
                    "channel": "sms",
                    "offer": "bill_instalment",
                    "purpose": "thank you",
                }
            ],
        }
    )


def test_a_due_sms_step_is_queued_once_and_counts_as_a_contact(db: Engine) -> None:
    with db.begin() as conn:
        set_up(conn)
        upsert_customers(conn, [customer("C1", timezone="Asia/Shanghai")])
        save_journeys(conn, [_sms_journey()])
        save_events(conn, [Event("e1", "C1", EventKind.PURCHASE, T0)], source="test")
    at = T0 + dt.timedelta(days=1, hours=1)  # 11:00 in Shanghai the next day
    first = run_journeys(db, as_of=at, links=LINKS)
    second = run_journeys(db, as_of=at + dt.timedelta(hours=1), links=LINKS)
    assert first.messages == {"queued": 1}
    assert not second.messages
    with db.connect() as conn:
        (task,) = tasks_where(conn, journey_tasks.c.journey_id == "sms_nudge")
        messages = conn.execute(select(outbox_messages.c.status, outbox_messages.c.channel)).all()
        history = contact_history(conn, "C1", T0)
    assert (task.status, task.reason) == ("queued", "queued")  # queued, not "sent"
    assert [(m.status, m.channel) for m in messages] == [("queued", "sms")]
    assert [(c.offer_id, c.channel.value) for c in history] == [("bill_instalment", "sms")]


def test_without_templates_nothing_is_queued_and_the_task_says_so(db: Engine) -> None:
    with db.begin() as conn:
        save_journeys(conn, [_sms_journey()])
        save_events(conn, [Event("e1", "c1", EventKind.PURCHASE, T0)], source="test")
    report = run_journeys(db, as_of=T0 + dt.timedelta(days=1, hours=1), links=LINKS)
    assert report.messages == {"templates_not_loaded": 1}
    with db.connect() as conn:
        (task,) = tasks_where(conn)
    assert (task.status, task.reason) == ("open", "templates_not_loaded")


def test_outbound_calls_and_their_sales_reach_the_kpis(db: Engine) -> None:
    from servesell.journeys import Disposition
    from servesell.service.kpis import kpis_by
    from servesell.store.db import write_transaction
    from servesell.store.dispositions import record_disposition

    journey = Journey.model_validate(
        {
            "id": "calls",
            "trigger": {"event": "purchase"},
            "steps": [
                {
                    "name": "d1",
                    "day": 1,
                    "windows": ["09:00-20:00"],
                    "channel": "call",
                    "offer": "bill_instalment",
                    "purpose": "offer instalments",
                }
            ],
        }
    )
    with db.begin() as conn:
        set_up(conn)
        upsert_customers(conn, [customer(c, timezone="Asia/Shanghai") for c in ("C1", "C2")])
        save_journeys(conn, [journey])
        save_events(
            conn, [Event(f"e{c}", c, EventKind.PURCHASE, T0) for c in ("C1", "C2")], source="test"
        )
    at = T0 + dt.timedelta(days=1, hours=1)
    run_journeys(db, as_of=at)
    with write_transaction(db) as conn:
        one, two = tasks_where(conn, journey_tasks.c.status == "open")
        record_disposition(
            conn,
            one.id,
            Disposition.ANSWERED,
            at=at,
            agent_id="a1",
            outcomes={"bill_instalment": "accepted"},
            handle_seconds=400,
        )
        record_disposition(conn, two.id, Disposition.NO_ANSWER, at=at, agent_id="a1")
        history = contact_history(conn, one.customer_id, T0)
    with db.connect() as conn:
        k = kpis_by(conn, tz=dt.UTC)["all"]
    assert (k.calls_per_agent_day, k.close_rate) == (2.0, 1.0)  # 2 dialled, 1 connect, 1 sale
    assert [(c.offer_id, c.result.value) for c in history] == [("bill_instalment", "accepted")]
