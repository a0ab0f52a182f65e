"""The formula brand's members, catalog and truth, as the 400 hotline's twin sells them."""

from __future__ import annotations

import datetime as dt

from servesell.domain import CallContext
from servesell.domain.customer import Customer
from servesell.ingest import read_catalog, read_schema_file
from servesell.rules import compile_rule
from servesell.service.simulation import build_world, load_spec
from servesell.sim import gate_for, play
from servesell.synth import LatentPropensity, generate_customers
from servesell.synth.brand_hotline import BASE_RATE, BRAND_PORTFOLIO, BRAND_TASTES
from servesell.synth.worlds import WORLDS

DAY = dt.date(2026, 3, 2)
BRAND = WORLDS["brand"]
FORMULA = ("stage3_upgrade", "auto_delivery", "value_box", "growing_up_milk", "gentle_formula")


def members(n: int, seed: int = 1) -> list[Customer]:
    return generate_customers(n, seed=seed, as_of=DAY, portfolio=BRAND_PORTFOLIO)


def test_member_profiles_are_realistic() -> None:
    people = members(20_000, seed=7)
    share = lambda test: sum(map(test, people)) / len(people)  # noqa: E731
    assert 0.03 < share(lambda c: c.vip) < 0.06  # platinum tier + a few gold members
    assert 0.07 < share(lambda c: c.do_not_market) < 0.09
    assert all(c.attributes["cans_12m"] >= 1 for c in people)  # a member bought a can
    stage = {c.attributes["formula_stage"] for c in people}
    assert stage == {1, 2, 3}
    babies = [c.attributes for c in people if c.attributes["baby_age_months"] < 6]
    assert all(a["formula_stage"] == 1 for a in babies)  # under six months: stage 1
    assert 0.1 < share(lambda c: c.attributes["last_app_login_on"] is None) < 0.6


def test_the_catalog_validates_and_its_priors_are_the_truths_base_rates() -> None:
    report = read_catalog(BRAND.catalog_path, read_schema_file(BRAND.schema_path))
    assert report.errors == ()
    assert {o.id: o.prior_propensity for o in report.offers} == BASE_RATE


def test_no_formula_offer_reaches_a_mother_on_stage_one() -> None:
    """No formula is promoted for a baby under six months (breastfeeding comes first)."""
    schema = read_schema_file(BRAND.schema_path)
    offers = {o.id: o for o in read_catalog(BRAND.catalog_path, schema).offers}
    young = [c for c in members(5_000) if c.attributes["formula_stage"] == 1]
    assert young
    for offer_id in FORMULA:
        rule = compile_rule(offers[offer_id].rule, schema)
        assert not any(rule.evaluate(c.attributes, c.holdings, DAY) for c in young), offer_id


def test_a_feeding_question_makes_a_gentle_formula_likelier_and_a_complaint_rarer() -> None:
    truth = LatentPropensity(tastes=BRAND_TASTES)
    at = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    sensitive = next(c for c in members(2_000) if c.attributes["sensitive_tummy"])
    p = {
        reason: truth.probability("gentle_formula", sensitive, CallContext(at=at, reason=reason))
        for reason in ("feeding_question", "other", "complaint")
    }
    assert p["feeding_question"] > p["other"] > p["complaint"]


def test_the_brand400_scenario_sells_the_brands_catalog_on_its_own_reasons() -> None:
    spec = load_spec("brand400")
    assert spec.world == "brand"
    assert "feeding_question" in spec.reasons
    world = build_world(spec, seed=1, customers=50)
    assert "stage3_upgrade" in world.catalog.by_id
    assert "bill_instalment" not in world.catalog.by_id
    assert set(world.customers[0].attributes) == set(world.catalog.schema.names)


def test_the_brand_twin_sells_and_keeps_the_target_at_light_load() -> None:
    spec = load_spec("brand400")
    scenario = spec.scenario("light", scale=0.5)
    world = build_world(spec, seed=1, customers=4_000)
    result = play(scenario, world, gate_for(scenario, "gated"), seed=1).summary()
    assert float(result["service_level"]) >= 0.8
    assert 0.1 < float(result["sales"]) / float(result["answered"]) < 0.5
