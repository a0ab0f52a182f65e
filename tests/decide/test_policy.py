from __future__ import annotations

import datetime as dt

import pytest

from servesell.decide import Caps, ContactPolicy, Suppression
from servesell.domain import Channel, Fate, OutcomeResult
from servesell.domain.history import Contact
from support.decide import NOW, context, customer, make_engine, offer


def fate_of(decision, offer_id="o1"):
    c = decision.candidate(offer_id)
    assert c is not None
    return c.fate, c.reason


@pytest.mark.parametrize(
    ("flags", "code"),
    [
        ({"blacklisted": True}, Suppression.BLACKLISTED),
        ({"do_not_market": True}, Suppression.DO_NOT_MARKET),
        ({"open_complaint": True}, Suppression.OPEN_COMPLAINT),
        ({"vip": True}, Suppression.VIP_PROTECTED),
    ],
)
def test_flagged_customers_are_never_offered(flags, code) -> None:
    decision = make_engine([offer()]).decide(customer(**flags), context())
    assert fate_of(decision) == (Fate.SUPPRESSED, code)
    assert decision.shown == ()


def test_vip_may_get_an_offer_cleared_for_vips() -> None:
    decision = make_engine([offer(vip_allowed=True)]).decide(customer(vip=True), context())
    assert fate_of(decision)[0] is Fate.SHOWN


def test_complaint_call_serves_only() -> None:
    decision = make_engine([offer()]).decide(customer(), context(reason="complaint"))
    assert fate_of(decision) == (Fate.SUPPRESSED, Suppression.COMPLAINT_CALL)


def test_customer_holding_the_product_is_not_offered_it() -> None:
    decision = make_engine([offer()]).decide(customer(holdings=frozenset({"o1"})), context())
    assert fate_of(decision) == (Fate.SUPPRESSED, Suppression.ALREADY_HOLDS)


def declined(offer_id: str, days_ago: float) -> Contact:
    at = NOW - dt.timedelta(days=days_ago)
    return Contact(offer_id, Channel.IN_CALL, at, OutcomeResult.DECLINED)


def test_declined_offer_is_suppressed_during_cool_down() -> None:
    policy = ContactPolicy(explore_share=0, cool_down_days_offer=30, cool_down_days_global=0)
    engine = make_engine([offer(), offer("o2")], policy=policy)
    decision = engine.decide(customer(), context(), history=[declined("o1", 29.9)])
    assert fate_of(decision) == (Fate.SUPPRESSED, Suppression.COOL_DOWN_OFFER)
    assert fate_of(decision, "o2")[0] is Fate.SHOWN


def test_cool_down_ends_exactly_after_its_days() -> None:
    policy = ContactPolicy(explore_share=0, cool_down_days_offer=30, cool_down_days_global=0)
    decision = make_engine([offer()], policy=policy).decide(
        customer(), context(), history=[declined("o1", 30)]
    )
    assert fate_of(decision)[0] is Fate.SHOWN


def test_any_decline_starts_the_global_cool_down() -> None:
    policy = ContactPolicy(explore_share=0, cool_down_days_offer=0, cool_down_days_global=2)
    decision = make_engine([offer(), offer("o2")], policy=policy).decide(
        customer(), context(), history=[declined("o1", 1)]
    )
    assert fate_of(decision, "o2") == (Fate.SUPPRESSED, Suppression.COOL_DOWN_GLOBAL)


def test_recent_acceptance_is_not_offered_again() -> None:
    sold = Contact("o1", Channel.IN_CALL, NOW - dt.timedelta(days=5), OutcomeResult.ACCEPTED)
    decision = make_engine([offer()]).decide(customer(), context(), history=[sold])
    assert fate_of(decision) == (Fate.SUPPRESSED, Suppression.RECENTLY_ACCEPTED)


def made(
    hours_ago: float, channel: Channel = Channel.IN_CALL, result=OutcomeResult.ACCEPTED
) -> Contact:
    return Contact("other", channel, NOW - dt.timedelta(hours=hours_ago), result)


@pytest.mark.parametrize(
    ("caps", "hours_ago", "count", "code"),
    [
        (Caps(per_day=2, per_week=None, per_month=None), 23.9, 2, Suppression.CAP_DAY),
        (Caps(per_day=None, per_week=3, per_month=None), 24 * 6.9, 3, Suppression.CAP_WEEK),
        (Caps(per_day=None, per_week=None, per_month=4), 24 * 29.9, 4, Suppression.CAP_MONTH),
    ],
)
def test_frequency_cap_is_exact_at_the_boundary(caps, hours_ago, count, code) -> None:
    engine = make_engine([offer()], policy=ContactPolicy(explore_share=0, caps=caps))
    at_cap = [made(hours_ago)] * count
    below = [made(hours_ago)] * (count - 1)
    assert fate_of(engine.decide(customer(), context(), history=at_cap)) == (Fate.SUPPRESSED, code)
    assert fate_of(engine.decide(customer(), context(), history=below))[0] is Fate.SHOWN


def test_contacts_outside_the_window_do_not_count() -> None:
    caps = Caps(per_day=1, per_week=None, per_month=None)
    engine = make_engine([offer()], policy=ContactPolicy(explore_share=0, caps=caps))
    decision = engine.decide(customer(), context(), history=[made(24.0)])
    assert fate_of(decision)[0] is Fate.SHOWN


def test_offers_the_agent_did_not_make_do_not_count_toward_caps() -> None:
    caps = Caps(per_day=1, per_week=None, per_month=None)
    engine = make_engine([offer()], policy=ContactPolicy(explore_share=0, caps=caps))
    skipped = made(1, result=OutcomeResult.NOT_OFFERED)
    assert fate_of(engine.decide(customer(), context(), history=[skipped]))[0] is Fate.SHOWN


def test_a_flagged_offer_never_presented_stops_counting_once_its_call_is_over() -> None:
    caps = Caps(per_day=1, per_week=None, per_month=None)
    engine = make_engine([offer()], policy=ContactPolicy(explore_share=0, caps=caps))
    ongoing = made(0.5, result=None)
    assert fate_of(engine.decide(customer(), context(), history=[ongoing])) == (
        Fate.SUPPRESSED,
        Suppression.CAP_DAY,
    )
    never_presented = made(2, result=None)
    assert fate_of(engine.decide(customer(), context(), history=[never_presented]))[0] is (
        Fate.SHOWN
    )


def test_channel_cap_stops_digital_follow_ups() -> None:
    policy = ContactPolicy(
        explore_share=0, min_value_per_second=10, channel_caps_per_week={Channel.SMS: 1}
    )
    engine = make_engine([offer()], policy=policy)
    assert fate_of(engine.decide(customer(), context()))[0] is Fate.DIGITAL
    used = [made(30, Channel.SMS, result=None)]
    decision = engine.decide(customer(), context(), history=used)
    assert fate_of(decision) == (Fate.SUPPRESSED, Suppression.CAP_CHANNEL)


def test_quiet_hours_hold_digital_channels() -> None:
    policy = ContactPolicy(explore_share=0, min_value_per_second=10, quiet_hours=(21, 8))
    engine = make_engine([offer()], policy=policy)
    late = context(at=dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.UTC))
    assert fate_of(engine.decide(customer(), late)) == (Fate.SUPPRESSED, Suppression.QUIET_HOURS)


def test_control_group_is_held_out() -> None:
    engine = make_engine([offer(control_share=0.5, campaign="spring")])
    fates = [fate_of(engine.decide(customer(f"C{i}"), context()))[1] for i in range(400)]
    held = sum(code == Suppression.CONTROL_GROUP for code in fates)
    assert 150 < held < 250


def test_unreachable_customer_gets_no_digital_offer() -> None:
    policy = ContactPolicy(explore_share=0, min_value_per_second=10)
    decision = make_engine([offer()], policy=policy).decide(customer(phone=None), context())
    assert fate_of(decision) == (Fate.SUPPRESSED, Suppression.NO_CHANNEL)
