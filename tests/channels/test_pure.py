"""Statuses, backoff, segments, opt-out keywords and the send-time gate: pure rules."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servesell.channels import (
    Action,
    Hold,
    Recipient,
    RetryPolicy,
    Status,
    after_receipt,
    gate,
    is_opt_out,
    sms_length,
)
from servesell.channels.status import RANK, RECEIPT_STATUSES
from servesell.decide import ContactPolicy

SHANGHAI = ZoneInfo("Asia/Shanghai")
POLICY = ContactPolicy()  # quiet 21:00-08:00
RECEIPTS = sorted(RECEIPT_STATUSES)


@given(st.lists(st.sampled_from(RECEIPTS), min_size=1, max_size=8))
def test_receipts_in_any_order_end_at_the_furthest_status(reports: list[Status]) -> None:
    current = Status.SENDING
    for reported in reports:
        current = after_receipt(current, reported) or current
    assert RANK[current] == max(RANK[r] for r in reports)
    first_final = next((r for r in reports if RANK[r] == 3), None)
    if first_final is not None:
        assert current is first_final  # the first final word stands


def test_a_late_sent_never_overwrites_delivered() -> None:
    assert after_receipt(Status.DELIVERED, Status.SENT) is None
    assert after_receipt(Status.DEAD, Status.DELIVERED) is Status.DELIVERED


def test_a_provider_cannot_report_a_local_status() -> None:
    with pytest.raises(ValueError, match="cannot report 'queued'"):
        after_receipt(Status.SENT, Status.QUEUED)


@given(st.integers(1, 40), st.integers(0, 2**32))
def test_backoff_stays_within_half_to_full_nominal_delay(attempt: int, seed: int) -> None:
    policy = RetryPolicy(base_seconds=5, factor=3, cap_seconds=600)
    delay = policy.delay(attempt, random.Random(seed))
    assert policy.nominal(attempt) / 2 <= delay <= policy.nominal(attempt) <= 600


def test_backoff_is_reproducible_from_its_seed() -> None:
    policy = RetryPolicy()
    first = [policy.delay(a, random.Random(7)) for a in range(1, 6)]
    assert first == [policy.delay(a, random.Random(7)) for a in range(1, 6)]


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "gsm7", 160, 1),
        ("a" * 161, "gsm7", 161, 2),
        ("a" * 306, "gsm7", 306, 2),
        ("{" * 80, "gsm7", 160, 1),
        ("中" * 70, "ucs2", 70, 1),
        ("中" * 71, "ucs2", 71, 2),
        ("中" * 134, "ucs2", 134, 2),
        ("中" * 135, "ucs2", 135, 3),
        ("a" * 69 + "€", "gsm7", 71, 1),
        ("😀" * 35, "ucs2", 70, 1),
        ("", "gsm7", 0, 0),
    ],
)
def test_segments_are_counted_as_carriers_count_them(text, encoding, units, segments) -> None:
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


@pytest.mark.parametrize(
    "reply", ["T", "td", "ＴＤ", "退订", " 退订。", "STOP", "Stop!", "unsubscribe"]
)
def test_opt_out_keywords_are_recognised(reply: str) -> None:
    assert is_opt_out(reply)


@pytest.mark.parametrize("reply", ["", "好的", "stop calling me at work", "TT", "退订了吗"])
def test_other_replies_are_not_opt_outs(reply: str) -> None:
    assert not is_opt_out(reply)


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def check(recipient: Recipient, now: dt.datetime, valid_hours: float = 48):
    valid = now + dt.timedelta(hours=valid_hours)
    return gate(recipient, now=now, valid_until=valid, policy=POLICY, center_zone=SHANGHAI)


def test_daytime_sends() -> None:
    assert check(Recipient(), at(10)).action is Action.SEND


def test_night_waits_until_eight_local_time() -> None:
    verdict = check(Recipient(), at(22, 30))
    assert (verdict.action, verdict.reason) == (Action.WAIT, Hold.QUIET_HOURS)
    assert verdict.until == at(8, day=3).astimezone(dt.UTC)


def test_the_window_opens_at_eight_on_the_local_wall_clock_across_dst() -> None:
    night = dt.datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo("America/New_York"))  # DST starts 02:00
    verdict = check(Recipient(zone="America/New_York"), night.astimezone(SHANGHAI))
    assert verdict.until is not None
    assert verdict.until.astimezone(ZoneInfo("America/New_York")).hour == 8


def test_a_night_longer_than_the_validity_expires() -> None:
    verdict = check(Recipient(), at(22), valid_hours=2)
    assert (verdict.action, verdict.reason) == (Action.EXPIRE, Hold.QUIET_HOURS)


@pytest.mark.parametrize("zone", ["Mars/Base", "UTC+8", "../../etc/passwd"])
def test_an_unreadable_zone_is_never_sent(zone: str) -> None:
    verdict = check(Recipient(zone=zone), at(10))
    assert (verdict.action, verdict.reason) == (Action.SUPPRESS, Hold.INVALID_TIME_ZONE)


@pytest.mark.parametrize(
    ("recipient", "reason"),
    [
        (Recipient(blacklisted=True, opted_out=True), Hold.BLACKLISTED),
        (Recipient(do_not_market=True), Hold.DO_NOT_MARKET),
        (Recipient(opted_out=True), Hold.OPTED_OUT),
    ],
)
def test_who_must_not_be_contacted_is_suppressed_first(recipient, reason) -> None:
    assert check(recipient, at(23)) == check(recipient, at(10))
    assert check(recipient, at(10)).reason is reason


def test_a_used_up_cap_waits_until_a_slot_frees() -> None:
    frees = at(15).astimezone(dt.UTC)
    verdict = check(Recipient(cap_left=0, cap_frees_at=frees), at(10))
    assert (verdict.action, verdict.until) == (Action.WAIT, frees)
