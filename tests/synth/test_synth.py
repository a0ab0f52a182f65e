from __future__ import annotations

import datetime as dt
import statistics
from zoneinfo import ZoneInfo

import pytest

from servesell.domain import CallContext
from servesell.ingest import read_catalog, read_schema_file
from servesell.synth import (
    LatentPropensity,
    TrafficProfile,
    bank_catalog_path,
    bank_schema_path,
    generate_calls,
    generate_customers,
    generate_staff,
)

DAY = dt.date(2026, 3, 2)
TZ = ZoneInfo("Asia/Shanghai")


def test_same_seed_same_customers_and_calls() -> None:
    a = generate_customers(300, seed=3, as_of=DAY)
    b = generate_customers(300, seed=3, as_of=DAY)
    assert a == b
    assert generate_customers(300, seed=4, as_of=DAY) != a
    profile = TrafficProfile(calls_per_day=500)
    assert generate_calls(profile, a, DAY, TZ, seed=1) == generate_calls(
        profile, b, DAY, TZ, seed=1
    )


def test_customers_fit_the_declared_bank_schema() -> None:
    schema = read_schema_file(bank_schema_path())
    for customer in generate_customers(200, seed=1, as_of=DAY):
        assert set(customer.attributes) == set(schema.names)
        for name, value in customer.attributes.items():
            assert schema.parse(name, value) == value


def test_flag_rates_are_realistic() -> None:
    customers = generate_customers(20_000, seed=7, as_of=DAY)
    share = lambda flag: sum(getattr(c, flag) for c in customers) / len(customers)  # noqa: E731
    assert 0.02 < share("vip") < 0.05
    assert 0.07 < share("do_not_market") < 0.09
    assert 0.005 < share("blacklisted") < 0.03
    assert share("open_complaint") < 0.01
    missing_income = sum(c.attributes["annual_income"] is None for c in customers) / len(customers)
    assert 0.3 < missing_income < 0.4


def test_shipped_catalog_validates_against_the_bank_schema() -> None:
    report = read_catalog(bank_catalog_path(), read_schema_file(bank_schema_path()))
    assert report.errors == ()
    assert len(report.offers) == 10


def test_arrivals_follow_the_daily_curve_and_handle_times_the_lognormal() -> None:
    customers = generate_customers(2000, seed=1, as_of=DAY)
    calls = generate_calls(TrafficProfile(calls_per_day=20_000), customers, DAY, TZ, seed=2)
    assert len(calls) == pytest.approx(20_000 * 1.15, rel=0.03)  # Monday factor
    hours = [c.started_at.astimezone(TZ).hour for c in calls]
    assert hours.count(10) > 10 * hours.count(3)
    base = [c.handle_seconds for c in calls if c.reason == "other"]
    assert statistics.median(base) == pytest.approx(119, rel=0.08)
    assert statistics.fmean(base) == pytest.approx(187, rel=0.08)
    assert all(c.started_at.date() == DAY for c in calls)
    assert [c.started_at for c in calls] == sorted(c.started_at for c in calls)


def test_truth_rises_with_the_features_it_names() -> None:
    truth = LatentPropensity()
    at = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    base = {"age": 40, "credit_limit": 10_000.0, "repayment_mode": "full", "balance": 2000.0}
    from servesell.domain import Customer

    low = Customer("a", base)
    high = Customer("b", {**base, "balance": 9000.0, "repayment_mode": "partial"})
    ctx = CallContext(at=at, reason="other")
    assert truth.probability("bill_instalment", high, ctx) > truth.probability(
        "bill_instalment", low, ctx
    )
    billing = CallContext(at=at, reason="billing_inquiry")
    assert truth.probability("bill_instalment", low, billing) > truth.probability(
        "bill_instalment", low, ctx
    )


def test_staff_is_organised_in_teams_of_ten() -> None:
    teams, agents = generate_staff(23, seed=1)
    assert len(teams) == 3
    assert sum(a.team_id == "T01" for a in agents) == 10


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"calls_per_day": 0}, "calls_per_day"),
        ({"calls_per_day": 10, "aht_median_seconds": 300}, "median"),
    ],
)
def test_invalid_traffic_is_rejected(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        TrafficProfile(**kwargs)
