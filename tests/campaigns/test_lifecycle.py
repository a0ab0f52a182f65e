"""A campaign's life: validated, audited, planned before approval, owning its hold-out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from servesell.campaigns import govern, in_holdout, split_audience
from servesell.decide.reasons import Suppression
from servesell.domain import CallContext, Fate
from servesell.domain.campaign import Campaign, CampaignRecord, CampaignState
from servesell.errors import CampaignError
from servesell.report.costs import CostModel
from servesell.service import campaigns as lifecycle
from servesell.service.campaign_plan import LoadAssumptions, forecast
from servesell.service.engines import build_engine
from servesell.store import get_customer, list_offers, open_db, require_schema
from servesell.store.audit import list_audit
from servesell.store.campaigns import get_campaign
from support.center import fill_small_bank

TZ = ZoneInfo("Asia/Shanghai")
SPEC = {
    "id": "spring",
    "name": "Spring",
    "offers": ["bill_instalment"],
    "audience": "age >= 18",
    "control_share": 0.3,
    "starts_on": "2026-03-01",
    "ends_on": "2026-03-31",
}
QUIET = LoadAssumptions(calls_per_hour=60, calls_per_day=600, aht_seconds=180, agents=6)
BUSY = LoadAssumptions(calls_per_hour=120, calls_per_day=1200, aht_seconds=180, agents=7)


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    fill_small_bank(db_url)
    engine = open_db(db_url)
    yield engine
    engine.dispose()


def _plan(db: Engine, load: LoadAssumptions):
    with db.connect() as conn:
        record = get_campaign(conn, "spring")
        return forecast(
            conn, record, CostModel(), tz=TZ, load=load, now=dt.datetime(2026, 3, 1, tzinfo=TZ)
        )


def test_every_change_of_state_is_audited(db: Engine) -> None:
    lifecycle.save(db, SPEC, actor="ana")
    lifecycle.change_state(
        db, "spring", CampaignState.APPROVED, actor="lee", plan=_plan(db, QUIET).plan
    )
    lifecycle.change_state(db, "spring", CampaignState.RUNNING, actor="lee")
    lifecycle.change_state(db, "spring", CampaignState.PAUSED, actor="lee")
    lifecycle.change_state(db, "spring", CampaignState.RUNNING, actor="lee")
    record = lifecycle.change_state(db, "spring", CampaignState.ENDED, actor="lee")
    with db.connect() as conn:
        trail = [(e.actor, e.action) for e in reversed(list_audit(conn)) if e.entity == "campaign"]
    assert trail == [("ana", "create"), ("lee", "approve"), ("lee", "start"), ("lee", "pause"),
                     ("lee", "start"), ("lee", "end")]  # fmt: skip
    assert record.started_at is not None
    assert record.ended_at >= record.started_at


def test_a_plan_that_breaks_the_service_target_needs_an_audited_override(db: Engine) -> None:
    lifecycle.save(db, SPEC, actor="ana")
    busy = _plan(db, BUSY).plan
    assert busy.breaks_target
    assert busy.service_level_with < busy.service_level_without
    assert busy.agents_needed_with >= busy.agents_needed_without
    with pytest.raises(CampaignError, match="below the target"):
        lifecycle.change_state(db, "spring", CampaignState.APPROVED, actor="lee", plan=busy)
    lifecycle.change_state(
        db, "spring", CampaignState.APPROVED, actor="lee", plan=busy, override="Q1 push, agreed"
    )
    with db.connect() as conn:
        approval = next(e for e in list_audit(conn) if e.action == "approve")
    assert approval.after["plan"]["override"] == "Q1 push, agreed"
    assert approval.after["plan"]["service_level_with"] < 0.8


def test_the_plan_forecasts_from_tagging_and_priors(db: Engine) -> None:
    lifecycle.save(db, SPEC, actor="ana")
    plan = _plan(db, QUIET).plan
    [offer] = plan.per_offer
    assert 0 < offer.eligible <= 300
    assert offer.sales == pytest.approx(offer.offers * plan.inputs.offers[0].propensity)
    assert plan.inputs.offers[0].propensity == pytest.approx(0.12)  # the catalog prior
    assert plan.cost > 0


def test_transitions_out_of_order_and_edits_after_approval_are_refused(db: Engine) -> None:
    lifecycle.save(db, SPEC, actor="ana")
    with pytest.raises(CampaignError, match="cannot go from draft to running"):
        lifecycle.change_state(db, "spring", CampaignState.RUNNING, actor="lee")
    lifecycle.change_state(
        db, "spring", CampaignState.APPROVED, actor="lee", plan=_plan(db, QUIET).plan
    )
    with pytest.raises(CampaignError, match="only a draft can be edited"):
        lifecycle.save(db, {**SPEC, "control_share": 0.1}, actor="ana")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"offers": ["nope"]}, "offers"),
        ({"audience": "age >>> 3"}, "audience"),
        ({"control_share": 0.9}, "control_share"),
        ({"ends_on": "2026-01-01"}, None),
    ],
)
def test_an_invalid_campaign_names_what_is_wrong(db: Engine, change, field) -> None:
    with pytest.raises(CampaignError) as caught:
        lifecycle.save(db, {**SPEC, **change}, actor="ana")
    assert caught.value.field == field or field is None


def test_an_offer_belongs_to_one_campaign_at_a_time(db: Engine) -> None:
    lifecycle.save(db, SPEC, actor="ana")
    with pytest.raises(CampaignError, match="already belong to campaign 'spring'"):
        lifecycle.save(db, {**SPEC, "id": "autumn"}, actor="ana")


def test_a_running_campaign_holds_its_share_out_and_a_paused_one_makes_no_offer(db: Engine) -> None:
    lifecycle.save(db, {**SPEC, "control_share": 0.5}, actor="ana")
    lifecycle.change_state(
        db, "spring", CampaignState.APPROVED, actor="lee", plan=_plan(db, QUIET).plan
    )
    lifecycle.change_state(db, "spring", CampaignState.RUNNING, actor="lee")
    at = dt.datetime(2026, 3, 2, 10, tzinfo=TZ)
    reasons = {}
    with db.connect() as conn:
        engine = build_engine(conn, tz=TZ)
        schema = require_schema(conn)
        for i in range(1, 301):
            c = get_customer(conn, f"C{i:07d}", schema)
            d = engine.decide(c, CallContext(at=at, reason="billing_inquiry"))
            mine = [x for x in d.candidates if x.offer_id == "bill_instalment"]
            if mine:
                reasons[c.id] = mine[0]
    held = [cid for cid, x in reasons.items() if x.reason == Suppression.CONTROL_GROUP]
    campaign = Campaign.model_validate({**SPEC, "control_share": 0.5})
    assert held
    assert all(in_holdout(campaign, cid) for cid in held)
    assert not any(x.fate is Fate.SHOWN for cid, x in reasons.items() if in_holdout(campaign, cid))
    treated, out = split_audience(campaign, list(reasons))
    assert set(held) <= set(out)
    assert not set(treated) & set(out)
    lifecycle.change_state(db, "spring", CampaignState.PAUSED, actor="lee")
    with db.connect() as conn:
        paused = build_engine(conn, tz=TZ).catalog.by_id["bill_instalment"]
    assert not paused.is_active_on(at.date())


def test_govern_keeps_old_catalogs_and_limits_channels() -> None:
    with_db = Campaign.model_validate({**SPEC, "channels": ["inbound"]})
    record = CampaignRecord(campaign=with_db, state=CampaignState.RUNNING)
    from servesell.ingest import read_catalog, read_schema_file
    from servesell.synth import bank_catalog_path, bank_schema_path

    offers = read_catalog(bank_catalog_path(), read_schema_file(bank_schema_path())).offers
    governed = {o.id: o for o in govern(offers, [record])}
    original = {o.id: o for o in offers}
    assert [c.value for c in governed["bill_instalment"].channels] == ["in_call"]
    assert governed["bill_instalment"].control_key == "spring"
    assert governed["bill_instalment"].starts_on == dt.date(2026, 3, 1)
    assert governed["travel_insurance"] == original["travel_insurance"]
    assert govern(offers, []) == list(offers)


def test_listed_offers_of_the_store_stay_as_the_catalog_wrote_them(db: Engine) -> None:
    lifecycle.save(db, SPEC, actor="ana")
    with db.connect() as conn:
        stored = {o.id: o for o in list_offers(conn)}
    assert stored["bill_instalment"].campaign is None
