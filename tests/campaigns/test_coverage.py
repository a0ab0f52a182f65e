"""Acceptance: on synthetic campaigns with a known true lift, the 95% intervals cover it.

Forty seeded campaigns are played through the real decision engine and hold-out (in
memory, see ``support.campaigns``); the lift each report would show is compared with the
exact true effect of assignment. A further test checks that the store derives the very
same units from the log of a played campaign.
"""

from __future__ import annotations

import pytest

from servesell.campaigns import confidence_sequence, evaluate, mean_lift
from servesell.report.costs import CostModel
from servesell.service.campaign_demo import CampaignDemoConfig, play_campaign
from servesell.service.campaign_eval import evaluate_campaign
from support.campaigns import play_in_memory

pytestmark = pytest.mark.slow

RUNS = 40
CUSTOMERS = 1200


@pytest.fixture(scope="module")
def runs():
    out = []
    for seed in range(1, RUNS + 1):
        run = play_in_memory(CampaignDemoConfig(customers=CUSTOMERS, seed=seed))
        verdict = evaluate(run.units, control_share=0.2, costs=CostModel(), days=7)
        out.append((run, verdict))
    return out


def test_conversion_intervals_cover_the_true_lift_in_36_of_40_runs(runs) -> None:
    covered = sum(v.conversion.covers(r.true_conversion_lift) for r, v in runs)
    print(f"conversion lift: 95% interval covered the truth in {covered}/{RUNS} runs")
    assert covered >= 36


def test_revenue_intervals_cover_the_true_lift_in_36_of_40_runs(runs) -> None:
    covered = sum(v.revenue.covers(r.true_revenue_lift) for r, v in runs)
    print(f"revenue per contact lift: 95% interval covered the truth in {covered}/{RUNS} runs")
    assert covered >= 36


def test_cuped_intervals_cover_too_and_are_narrower_on_average(runs) -> None:
    covered = sum(v.cuped_conversion.covers(r.true_conversion_lift) for r, v in runs)
    ratios = []
    for run, v in runs:
        t = [float(u.converted) for u in run.units if u.treated]
        c = [float(u.converted) for u in run.units if not u.treated]
        ratios.append(v.cuped_conversion.se / mean_lift(t, c).se)
    mean_ratio = sum(ratios) / len(ratios)
    print(f"CUPED conversion: covered {covered}/{RUNS}; standard error {mean_ratio:.3f}× Welch's")
    assert covered >= 36
    assert mean_ratio < 1.0


def test_anytime_valid_sequences_contain_the_fixed_interval_and_cover(runs) -> None:
    covered = 0
    for run, v in runs:
        seq = confidence_sequence(v.conversion)
        assert seq.low <= v.conversion.estimate <= seq.high
        assert seq.high - seq.low > v.conversion.high - v.conversion.low
        covered += seq.low <= run.true_conversion_lift <= seq.high
    print(f"confidence sequences covered the truth in {covered}/{RUNS} runs")
    assert covered >= 38


def test_store_reads_the_same_units_as_were_played(tmp_path) -> None:
    from zoneinfo import ZoneInfo

    from servesell.store import open_db

    config = CampaignDemoConfig(customers=600, seed=5)
    db = open_db(f"sqlite:///{tmp_path / 'c.db'}")
    run = play_campaign(db, config, CostModel())
    memory = play_in_memory(config)
    with db.connect() as conn:
        stored = evaluate_campaign(conn, run.campaign_id, CostModel(), tz=ZoneInfo("Asia/Shanghai"))
    db.dispose()
    key = lambda u: (u.customer_id, u.treated, u.converted, u.revenue, u.pre_purchases)  # noqa: E731
    ev = stored.evaluation
    assert ev.treated + ev.control == run.units == len(memory.units)
    assert abs(run.true_conversion_lift - memory.true_conversion_lift) < 1e-12
    from servesell.campaigns import evaluate as again

    mem = again(memory.units, control_share=0.2, costs=CostModel(), days=7)
    assert mem.conversion.estimate == pytest.approx(ev.conversion.estimate)
    assert mem.revenue.estimate == pytest.approx(ev.revenue.estimate)
    assert sorted(map(key, memory.units)) == sorted(
        map(key, _units_of(db_url=f"sqlite:///{tmp_path / 'c.db'}", campaign=run.campaign_id))
    )


def _units_of(*, db_url: str, campaign: str):
    from servesell.store import list_offers, open_db
    from servesell.store.campaign_units import campaign_units
    from servesell.store.campaigns import get_campaign

    db = open_db(db_url)
    with db.connect() as conn:
        record = get_campaign(conn, campaign)
        offers = {o.id: o for o in list_offers(conn)}
        units = campaign_units(conn, record, offers, until=record.ended_at, segment=None)
    db.dispose()
    return units
