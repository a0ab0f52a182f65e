"""Time zones: due times and windows on the customer's own clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from servesell.journeys import Journey, Reach, Skip, StepChannel, Window, plan, who_blocks
from servesell.journeys.contactability import Load, OutboundLimits, contactable
from servesell.journeys.schedule import Customer, Event, EventKind, TaskStatus
from servesell.journeys.windows import gmt_offset, inside, next_opening, step_opens

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
MORNING = (Window.parse("10:00-12:00"),)


def _utc(*parts: int, tz: dt.tzinfo = dt.UTC) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=tz).astimezone(dt.UTC)  # type: ignore[misc]


def test_shanghai_day3_window_opens_at_ten_local() -> None:
    bought = _utc(2026, 3, 1, 15, 0, tz=SH)
    assert step_opens(bought, SH, 3, MORNING) == _utc(2026, 3, 4, 2, 0)


def test_purchase_at_2330_local_counts_from_the_local_date() -> None:
    # 23:30 in New York is already 04:30 UTC the next day; day 3 is counted from the NY date.
    bought = _utc(2026, 1, 10, 23, 30, tz=NY)
    assert bought.date() == dt.date(2026, 1, 11)
    assert step_opens(bought, NY, 3, MORNING) == _utc(2026, 1, 13, 10, 0, tz=NY)
    bought_sh = _utc(2026, 1, 10, 23, 30, tz=SH)
    assert step_opens(bought_sh, SH, 3, MORNING).astimezone(SH).date() == dt.date(2026, 1, 13)


def test_new_york_spring_forward_keeps_the_wall_clock() -> None:
    # DST starts 2026-03-08 in New York: 10:00 local is 15:00 UTC before, 14:00 UTC after.
    bought = _utc(2026, 3, 6, 12, 0, tz=NY)
    before = step_opens(bought, NY, 1, MORNING)
    after = step_opens(bought, NY, 3, MORNING)
    assert (before.hour, after.hour) == (15, 14)
    assert after.astimezone(NY).hour == 10
    assert gmt_offset(NY, dt.date(2026, 3, 7)) == -5.0
    assert gmt_offset(NY, dt.date(2026, 3, 9)) == -4.0


def test_new_york_fall_back_keeps_the_wall_clock() -> None:
    # DST ends 2026-11-01: 10:00 local is 14:00 UTC before, 15:00 UTC after.
    bought = _utc(2026, 10, 30, 12, 0, tz=NY)
    assert step_opens(bought, NY, 1, MORNING).hour == 14
    assert step_opens(bought, NY, 3, MORNING).hour == 15
    assert gmt_offset(NY, dt.date(2026, 11, 2)) == -5.0


def test_window_across_midnight_holds_after_midnight() -> None:
    late = (Window.parse("20:00-01:00"),)
    assert inside(_utc(2026, 3, 4, 0, 30, tz=SH), SH, late)
    assert inside(_utc(2026, 3, 4, 23, 0, tz=SH), SH, late)
    assert not inside(_utc(2026, 3, 4, 1, 0, tz=SH), SH, late)
    assert next_opening(_utc(2026, 3, 4, 1, 0, tz=SH), SH, late) == _utc(2026, 3, 4, 20, 0, tz=SH)


def test_customer_without_time_zone_is_not_called_with_a_reason() -> None:
    reach = Reach("c1", phone="+8613800000001", zone=None)
    assert who_blocks(reach, StepChannel.CALL) is Skip.UNKNOWN_TIME_ZONE
    bad = Reach("c1", phone="+8613800000001", zone="Mars/Olympus")
    skip = contactable(
        bad,
        Load(),
        channel=StepChannel.CALL,
        now=_utc(2026, 3, 4, 3),
        windows=MORNING,
        limits=OutboundLimits(),
    )
    assert skip is Skip.UNKNOWN_TIME_ZONE
    journey = Journey.model_validate(
        {
            "id": "j",
            "trigger": {"event": "purchase"},
            "steps": [{"name": "d3", "day": 3, "windows": ["10:00-12:00"], "purpose": "p"}],
        }
    )
    event = Event("e1", "c1", EventKind.PURCHASE, _utc(2026, 3, 1, 3))
    planned = plan(journey, [event], {"c1": Customer(reach)}, as_of=_utc(2026, 3, 4, 1))
    assert [(p.status, p.reason) for p in planned] == [(TaskStatus.SKIPPED, "unknown_time_zone")]


def test_contactability_checks_in_order_and_limits() -> None:
    reach = Reach("c1", phone="+86138", zone="Asia/Shanghai", do_not_call=True, vip=True)
    assert who_blocks(reach, StepChannel.CALL) is Skip.DO_NOT_CALL
    assert who_blocks(reach, StepChannel.SMS) is Skip.VIP_PROTECTED
    ok = Reach("c1", phone="+86138", zone="Asia/Shanghai")
    now = _utc(2026, 3, 4, 10, 30, tz=SH)
    args = {"channel": StepChannel.CALL, "now": now, "windows": MORNING, "limits": OutboundLimits()}
    assert contactable(ok, Load(), **args) is None  # type: ignore[arg-type]
    recent = Load(last_attempt=now - dt.timedelta(minutes=30))
    assert contactable(ok, recent, **args) is Skip.MIN_GAP  # type: ignore[arg-type]
    assert contactable(ok, Load(contacts_today=1), **args) is Skip.CAP_DAY  # type: ignore[arg-type]
    evening = {**args, "now": _utc(2026, 3, 4, 22, 0, tz=SH)}
    assert contactable(ok, Load(), **evening) is Skip.OUTSIDE_WINDOW  # type: ignore[arg-type]


def test_calls_fill_hours_up_to_the_teams_rate_best_first() -> None:
    from servesell.journeys.calllist import Entry, fill_hours, rank

    at = _utc(2026, 3, 4, 2)
    entries = [
        Entry(i, f"c{i}", at, 1.0 + (i == 3), 0.4, at + dt.timedelta(days=1)) for i in range(1, 5)
    ]
    placed = fill_hours(
        rank(entries), size=3, per_hour=2, until=at + dt.timedelta(hours=10), fits=lambda e, t: True
    )
    assert [(e.task_id, e.call_at.hour) for e in placed] == [(3, 2), (1, 2), (2, 3)]


@settings(max_examples=25, deadline=None)
@given(
    at=st.datetimes(
        min_value=dt.datetime(2025, 1, 1),
        max_value=dt.datetime(2027, 12, 31),
        timezones=st.just(dt.UTC),
    ),
    zone=st.sampled_from(
        ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata"]
    ),
    day=st.integers(0, 40),
    hour=st.integers(8, 20),
)
def test_a_step_opens_at_its_window_on_the_local_day(
    at: dt.datetime, zone: str, day: int, hour: int
) -> None:
    tz = ZoneInfo(zone)
    window = Window.parse(f"{hour:02d}:00-{hour + 1:02d}:00")
    opened = step_opens(at, tz, day, (window,)).astimezone(tz)
    assert opened.date() == at.astimezone(tz).date() + dt.timedelta(days=day)
    assert (opened.hour, opened.minute) == (hour, 0)
    assert inside(opened.astimezone(dt.UTC), tz, (window,))
