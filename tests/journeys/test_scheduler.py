"""The scheduler, call list and dispositions against a real (SQLite) store."""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from journeys.conftest import T0, ZONES
from servesell.journeys import VICIDIAL_FIELDS, Disposition, EventKind, Journey
from servesell.journeys.contactability import OutboundLimits
from servesell.journeys.schedule import Event
from servesell.service.call_list_export import write_vicidial
from servesell.service.call_lists import call_list
from servesell.service.journey_overview import overview
from servesell.service.journeys import run_journeys
from servesell.store import contact_history
from servesell.store.db import write_transaction
from servesell.store.dispositions import record_disposition
from servesell.store.journey_events import save_events
from servesell.store.journeys import save_journeys, tasks_where
from servesell.store.tables import do_not_call, journey_missed, journey_tasks, purchases

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine

SH = dt.timezone(dt.timedelta(hours=8))
DOCUMENTED_ORDER = (
    # VICIdial admin manual, "VICIDIAL LIST LOADER FUNCTIONALITY": the fields of a lead file
    # in their proper order (Vendor Lead Code ... Comments), then the optional Rank, Owner.
    "vendor_lead_code", "source_id", "list_id", "phone_code", "phone_number", "title",
    "first_name", "middle_initial", "last_name", "address1", "address2", "address3", "city",
    "state", "province", "postal_code", "country_code", "gender", "date_of_birth", "alt_phone",
    "email", "security_phrase", "comments", "rank", "owner",
)  # fmt: skip


def _journey(jid: str = "formula", days: tuple[int, ...] = (3, 15, 25), **extra: object) -> Journey:
    steps = [
        {
            "name": f"day{d}",
            "day": d,
            "windows": ["10:00-12:00", "14:00-20:00"],
            "purpose": f"follow-up day {d}",
            "valid_days": 2,
        }
        for d in days
    ]
    return Journey.model_validate(
        {"id": jid, "trigger": {"event": "purchase"}, "steps": steps, "team": "outbound", **extra}
    )


def _setup(
    db: Engine, journeys: list[Journey], customers: tuple[str, ...] = ("c1", "c2", "c3")
) -> None:
    with db.begin() as conn:
        save_journeys(conn, journeys)
        save_events(
            conn, [Event(f"e-{c}", c, EventKind.PURCHASE, T0) for c in customers], source="test"
        )


def _count(db: Engine, *where: object) -> int:
    with db.connect() as conn:
        query = select(func.count()).select_from(journey_tasks)
        for w in where:
            query = query.where(w)  # type: ignore[arg-type]
        return int(conn.execute(query).scalar_one())


def test_events_are_idempotent_and_purchases_mirrored_once(db: Engine) -> None:
    event = Event("e1", "c1", EventKind.PURCHASE, T0, "formula_a", 298.0)
    with db.begin() as conn:
        assert save_events(conn, [event, event], source="test") == 1
        assert save_events(conn, [event], source="test") == 0
        assert conn.execute(select(func.count()).select_from(purchases)).scalar_one() == 1


def test_two_runs_create_what_one_run_creates(db: Engine) -> None:
    _setup(db, [_journey()])
    as_of = T0 + dt.timedelta(days=3)
    first = run_journeys(db, as_of=as_of)
    after_one = _count(db)
    second = run_journeys(db, as_of=as_of)
    assert after_one == _count(db) == 3  # day 3 for c1, c2 (open) and c3 (no zone: skipped)
    assert sum(second.planned.values()) == 0
    assert (first.planned["open"], first.planned["unknown_time_zone"]) == (2, 1)


def test_after_a_ten_day_pause_nothing_floods(db: Engine) -> None:
    _setup(db, [_journey()])
    run_journeys(db, as_of=T0 + dt.timedelta(days=3))
    report = run_journeys(db, as_of=T0 + dt.timedelta(days=13))
    assert report.closed_stale == 2  # day-3 tasks never called: closed as stale
    assert _count(db, journey_tasks.c.status == "open") == 0
    late = run_journeys(db, as_of=T0 + dt.timedelta(days=15))
    assert late.planned["open"] == 2  # day 15 is due now; nothing old came back


def test_a_step_first_seen_after_its_validity_is_stored_stale(db: Engine) -> None:
    _setup(db, [_journey()])
    report = run_journeys(db, as_of=T0 + dt.timedelta(days=20))
    assert report.planned["stale"] == 4  # day 3 and day 15 of c1 and c2
    assert report.planned["open"] == 0


def test_a_step_missed_before_it_was_planned_is_no_task_but_counts_as_stale(db: Engine) -> None:
    _setup(db, [_journey()])
    as_of = T0 + dt.timedelta(days=20)
    run_journeys(db, as_of=as_of)
    again = run_journeys(db, as_of=as_of + dt.timedelta(days=1))
    assert sum(again.planned.values()) == 0  # a rerun stores nothing twice
    assert _count(db, journey_tasks.c.status == "stale") == 0  # never a task to call
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(journey_missed)).scalar_one() == 4
        rows = {r.step: r for r in overview(conn, since=T0)}
    assert (rows["day3"].by_status["stale"], rows["day3"].reasons["stale"]) == (2, 2)
    assert rows["day15"].by_status["stale"] == 2


def test_caps_shared_by_three_journeys_scheduled_concurrently(both_db: Engine) -> None:
    db = both_db
    # Three journeys want c1 and c2 on the same day; the cap allows 2 a day, 3 a week.
    _setup(db, [_journey(f"j{i}", days=(3,)) for i in range(3)], customers=("c1", "c2"))
    limits = OutboundLimits(contacts_per_day=2, contacts_per_week=3)
    as_of = T0 + dt.timedelta(days=3)
    threads = [
        threading.Thread(target=run_journeys, args=(db,), kwargs={"as_of": as_of, "limits": limits})
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for customer in ("c1", "c2"):
        live = _count(db, journey_tasks.c.customer_id == customer, journey_tasks.c.status == "open")
        capped = _count(
            db, journey_tasks.c.customer_id == customer, journey_tasks.c.reason == "cap_day"
        )
        assert (live, capped) == (2, 1)


def test_call_list_and_vicidial_export_in_documented_order(db: Engine, tmp_path: Path) -> None:
    _setup(db, [_journey()])
    run_journeys(db, as_of=T0 + dt.timedelta(days=3))
    with db.connect() as conn:
        calls = call_list(conn, dt.date(2026, 3, 4), tz=SH, agents_count=1)
    # equal scores (10:00 on each clock): the nearer deadline first (c2's day 3 came earlier)
    assert [line.task.customer_id for line in calls.lines] == ["c2", "c1"]
    assert (calls.capacity, calls.skipped) == (51, {})
    out = tmp_path / "list.txt"
    write_vicidial(out, calls)
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert VICIDIAL_FIELDS == DOCUMENTED_ORDER
    assert all(len(r) == len(VICIDIAL_FIELDS) == 25 for r in rows)
    first = dict(zip(VICIDIAL_FIELDS, rows[0], strict=True))
    assert first["vendor_lead_code"] == str(calls.lines[0].task.id)
    assert (first["phone_code"], first["phone_number"]) == ("86", "1380000001")
    assert first["comments"].startswith("gmt_offset=-5.00;")
    second = dict(zip(VICIDIAL_FIELDS, rows[1], strict=True))
    assert second["comments"].startswith("gmt_offset=8.00;")


def test_dispositions_retry_refuse_and_call_back(db: Engine) -> None:
    _setup(db, [_journey()])
    run_journeys(db, as_of=T0 + dt.timedelta(days=3))
    with db.connect() as conn:
        one, two = tasks_where(conn, journey_tasks.c.status == "open")
    at = T0 + dt.timedelta(days=3, hours=1)
    with write_transaction(db) as conn:
        nxt = record_disposition(conn, one.id, Disposition.NO_ANSWER, at=at)
        assert (nxt.status.value, nxt.next_attempt_at) == ("open", at + dt.timedelta(hours=3))
        refused = record_disposition(conn, two.id, Disposition.REFUSED, at=at, agent_id="a1")
        assert refused.do_not_call
        assert conn.execute(select(do_not_call.c.phone)).scalars().all() == [
            "+861380000000"
        ]  # c1 (the later task)
        back = at + dt.timedelta(hours=5)
        record_disposition(
            conn,
            one.id,
            Disposition.CALLBACK,
            at=at + dt.timedelta(hours=3),
            agent_id="a7",
            callback_at=back,
        )
    with db.connect() as conn:
        (callback,) = tasks_where(conn, journey_tasks.c.journey_id == "callback")
    assert (callback.owner_agent, callback.due_from) == ("a7", back)
    report = run_journeys(db, as_of=back + dt.timedelta(hours=1))
    assert report.released == 1  # not taken within its grace: goes to the team queue
    with db.connect() as conn:  # inbound decisions count the outbound conversations too
        seen = contact_history(conn, two.customer_id, T0)
    assert [(c.offer_id, c.result) for c in seen] == [("journey:formula/day3", "declined")]


def test_a_burst_holds_out_its_control_group_and_fits_its_size(db: Engine) -> None:
    from servesell.campaigns.holdout import in_holdout
    from servesell.domain.campaign import Campaign, CampaignState
    from servesell.journeys.spec import Burst
    from servesell.store.campaigns import save_campaign

    campaign = Campaign(id="weekend", name="Store weekend", offers=("formula",), control_share=0.5)
    burst = Burst.model_validate(
        {
            "id": "weekend_calls",
            "campaign": "weekend",
            "starts": "2026-03-07",
            "ends": "2026-03-08",
            "windows": ["10:00-12:00"],
            "purpose": "invite",
            "size": 1,
        }
    )
    with db.begin() as conn:
        save_campaign(conn, campaign, state=CampaignState.RUNNING)
        save_journeys(conn, [burst])
    first = run_journeys(db, as_of=T0)
    again = run_journeys(db, as_of=T0)
    held = sum(in_holdout(campaign, c) for c in ("c1", "c2", "c3", "c4"))
    assert first.planned["holdout"] == held
    assert first.planned["open"] == 1
    assert sum(first.planned.values()) == 4
    assert sum(again.planned.values()) == 0
    with db.connect() as conn:
        (task,) = tasks_where(conn, journey_tasks.c.status == "open")
    local = task.due_from.astimezone(ZoneInfo(ZONES[task.customer_id] or "UTC"))
    assert (local.date(), local.hour) == (dt.date(2026, 3, 7), 10)  # on the customer's clock


def test_lists_can_be_assigned_to_the_customers_store(db: Engine) -> None:
    from servesell.domain.customer import Customer as Profile
    from servesell.store import upsert_customers

    with db.begin() as conn:
        upsert_customers(
            conn,
            [
                Profile(
                    "c1",
                    {"name": "C1", "timezone": "Asia/Shanghai", "store": "S001"},
                    phone="+861380000000",
                )
            ],
        )
    _setup(db, [_journey(assign="store")])
    run_journeys(db, as_of=T0 + dt.timedelta(days=3))
    with db.connect() as conn:
        store_list = call_list(conn, dt.date(2026, 3, 4), tz=SH, team="store:S001", agents_count=1)
        team_list = call_list(conn, dt.date(2026, 3, 4), tz=SH, team="outbound", agents_count=1)
    assert [line.task.customer_id for line in store_list.lines] == ["c1"]
    assert [line.task.customer_id for line in team_list.lines] == ["c2"]


def test_the_trigger_rule_reads_the_profile_and_the_event(db: Engine) -> None:
    journey = _journey(
        trigger={"event": "purchase", "rule": "event_amount >= 200 AND name <> 'C2'"}
    )
    with db.begin() as conn:
        save_journeys(conn, [journey])
        save_events(
            conn,
            [
                Event("big1", "c1", EventKind.PURCHASE, T0, "formula", 298.0),
                Event("small4", "c4", EventKind.PURCHASE, T0, "formula", 50.0),
                Event("big2", "c2", EventKind.PURCHASE, T0, "formula", 298.0),
            ],
            source="test",
        )
    run_journeys(db, as_of=T0 + dt.timedelta(days=3))
    with db.connect() as conn:
        assert [t.event_id for t in tasks_where(conn)] == ["big1"]


def test_an_inbound_call_me_later_becomes_an_owned_callback_once(db: Engine) -> None:
    from servesell.domain import CallContext, Decision, Mode
    from servesell.store import insert_decision
    from servesell.store.callbacks import CallbackRequest, request_callback

    due = T0 + dt.timedelta(hours=5)
    decision = Decision(
        "d1",
        "c1",
        T0,
        CallContext(at=T0, agent_id="a1", call_id="call-1"),
        Mode.SELL,
        60.0,
        False,
        (),
    )
    with db.begin() as conn:
        insert_decision(conn, decision)
        request_callback(conn, CallbackRequest("c1", "d1", "card", T0, "a1", due))
    first = run_journeys(db, as_of=T0)
    again = run_journeys(db, as_of=T0 + dt.timedelta(minutes=5))
    assert (first.callbacks, again.callbacks) == (1, 0)
    with db.connect() as conn:
        (task,) = tasks_where(conn, journey_tasks.c.journey_id == "callback")
    assert (task.owner_agent, task.due_from, task.customer_id) == ("a1", due, "c1")
