"""The synthetic mobile operator: its subscribers, catalog and truth, and the 10086 figure."""

from __future__ import annotations

import datetime as dt

import pytest

from servesell.domain import CallContext
from servesell.ingest import read_catalog, read_schema_file
from servesell.service.simulation import build_world, load_spec
from servesell.sim import gate_for, play
from servesell.synth import LatentPropensity, generate_customers
from servesell.synth.telecom import BASE_RATE, TELECOM_PORTFOLIO, TELECOM_TASTES
from servesell.synth.worlds import WORLDS

DAY = dt.date(2026, 3, 2)
TELECOM = WORLDS["telecom"]


def subscribers(n: int, seed: int = 1) -> list:  # type: ignore[type-arg]
    return generate_customers(n, seed=seed, as_of=DAY, portfolio=TELECOM_PORTFOLIO)


def test_subscriber_flags_and_profile_are_realistic() -> None:
    people = subscribers(20_000, seed=7)
    share = lambda test: sum(map(test, people)) / len(people)  # noqa: E731
    assert 0.05 < share(lambda c: c.vip) < 0.07  # premium tier + some business lines
    assert 0.07 < share(lambda c: c.do_not_market) < 0.09
    assert share(lambda c: c.attributes["network"] == "5g") > 0.3
    assert 0.35 < share(lambda c: c.attributes["has_broadband"]) < 0.5
    over = share(lambda c: c.attributes["data_used_gb"] > c.attributes["data_quota_gb"])
    assert 0.2 < over < 0.45
    assert all(c.attributes["network"] == "4g" or c.attributes["handset_5g"] for c in people)


def test_the_catalog_validates_and_its_priors_are_the_truths_base_rates() -> None:
    report = read_catalog(TELECOM.catalog_path, read_schema_file(TELECOM.schema_path))
    assert report.errors == ()
    assert {o.id: o.prior_propensity for o in report.offers} == BASE_RATE


def test_a_call_about_data_makes_a_data_pack_likelier() -> None:
    truth = LatentPropensity(tastes=TELECOM_TASTES)
    at = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    heavy = next(
        c for c in subscribers(500) if c.attributes["data_used_gb"] > c.attributes["data_quota_gb"]
    )
    p = {
        reason: truth.probability("data_addon", heavy, CallContext(at=at, reason=reason))
        for reason in ("data_usage", "other", "complaint")
    }
    assert p["data_usage"] > p["other"] > p["complaint"]
    assert truth.channel_probability("data_addon", "sms", heavy, CallContext(at=at)) < p["other"]


def test_the_telecom_scenario_sells_the_operators_catalog() -> None:
    world = build_world(load_spec("telecom"), seed=1, customers=50)
    assert "data_addon" in world.catalog.by_id
    assert "bill_instalment" not in world.catalog.by_id
    assert set(world.customers[0].attributes) == set(world.catalog.schema.names)


@pytest.mark.slow
def test_the_telecom_twin_sells_on_about_40_percent_of_answered_calls_at_light_load() -> None:
    """seeds/004: business done on 40% of agent calls (2010); tolerance +-3 points, one day."""
    spec = load_spec("telecom")
    scenario = spec.scenario("light")
    world = build_world(spec, seed=1)
    result = play(scenario, world, gate_for(scenario, "gated"), seed=1).summary()
    sales_per_call = result["sales"] / result["answered"]  # type: ignore[operator]
    assert 0.37 <= sales_per_call <= 0.43
    assert result["service_level"] >= 0.8  # type: ignore[operator]
