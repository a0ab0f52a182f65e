"""The adaptive model's life cycle in the store, and analyses of a real decision log."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select
from tests.support.center import AS_OF, fill_small_bank
from typer.testing import CliRunner

from servesell.cli import app
from servesell.decide.control import in_control_group
from servesell.decide.reasons import Suppression
from servesell.domain import (
    CallContext,
    Candidate,
    Channel,
    Decision,
    Fate,
    Mode,
    Outcome,
    OutcomeResult,
    Scores,
)
from servesell.service.demo import DemoConfig, run_demo
from servesell.service.learning import (
    associations_in_store,
    learn_from_log,
    load_adaptive,
    ope_in_log,
    save_adaptive,
    uplift_in_log,
)
from servesell.store import (
    get_customer,
    insert_decision,
    list_offers,
    record_outcome,
    upsert_offers,
)
from servesell.store.tables import outcomes
from servesell.synth import generate_customers

if TYPE_CHECKING:
    from sqlalchemy import Engine

runner = CliRunner()
AT = dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    from servesell.store import open_db

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = open_db(url)
    run_demo(engine, DemoConfig(customers=3000, days=2, seed=3))
    yield engine
    engine.dispose()


def _presented(engine: Engine) -> int:
    with engine.connect() as conn:
        query = select(func.count()).where(outcomes.c.result.in_(["accepted", "declined"]))
        return int(conn.execute(query).scalar_one())


def test_replaying_the_log_learns_each_outcome_once(demo_db: Engine) -> None:
    with demo_db.begin() as conn:
        saved = load_adaptive(conn, seed=1, fresh=True)
        first = learn_from_log(conn, saved)
        again = learn_from_log(conn, saved)
        save_adaptive(conn, saved)
    assert first.used == _presented(demo_db) > 50
    assert again.used == 0
    assert again.total == first.used
    with demo_db.connect() as conn:
        reloaded = load_adaptive(conn)
        offers = list_offers(conn)
        customer = get_customer(conn, "C0000001", saved.model.space.schema)
    assert reloaded.last_outcome_id == saved.last_outcome_id
    ctx = CallContext(at=AT, reason="billing_inquiry")
    assert [reloaded.model.propensity(o, customer, ctx) for o in offers] == [
        saved.model.propensity(o, customer, ctx) for o in offers
    ]


def test_off_policy_estimates_cover_the_logged_policy_itself(demo_db: Engine) -> None:
    with demo_db.connect() as conn:
        greedy = ope_in_log(conn, policy="greedy")
        uniform = ope_in_log(conn, policy="uniform", reward="accept")
    assert [e.estimator for e in greedy] == ["ips", "snips", "dr"]
    assert all(e.low <= e.value <= e.high for e in greedy + uniform)
    assert greedy[0].decisions > 100


def test_associations_count_every_stored_customer(demo_db: Engine) -> None:
    with demo_db.connect() as conn:
        found = associations_in_store(conn, min_support=0.02)
    assert found.customers == 3000
    assert all(r.support >= 0.02 for r in found.rules)


def test_model_commands_run_on_the_demo_log(demo_db: Engine) -> None:
    url = str(demo_db.url)
    commands = (
        ["learn"],
        ["ope", "--policy", "adaptive"],
        ["associations"],
        ["uplift"],
        ["status"],
        ["learn", "--reset", "--associations"],
    )
    for args in commands:
        result = runner.invoke(app, ["model", *args, "--db", url])
        assert result.exit_code == 0, result.output
    status = runner.invoke(app, ["model", "status", "--db", url])
    assert "model epoch" in status.output
    assert "learned from" in status.output
    as_json = runner.invoke(app, ["model", "status", "--json", "--db", url])
    found = json.loads(as_json.output)
    assert found["exists"]
    assert found["learned_outcomes"] == found["log_events"] > 50
    bad = runner.invoke(app, ["model", "ope", "--policy", "psychic", "--db", url])
    assert bad.exit_code == 2
    assert "policy must be one of greedy, uniform, adaptive" in bad.output


def test_uplift_compares_the_control_group_with_everyone_else(db_url: str, engine: Engine) -> None:
    fill_small_bank(db_url, customers=300)
    with engine.begin() as conn:
        offer = next(o for o in list_offers(conn) if o.id == "mobile_banking")
        offer = offer.model_copy(update={"control_share": 0.5})
        upsert_offers(conn, [offer])
        at = dt.datetime.now(dt.UTC)  # decided while the control group runs
        holders = {c.id for c in generate_customers(300, seed=3, as_of=AS_OF) if c.holds(offer.id)}
        for i in range(1, 301):
            customer_id = f"C{i:07d}"
            if customer_id in holders:
                continue  # not eligible: the rule says NOT holds('mobile_banking')
            held_out = in_control_group(customer_id, offer.id, 0.5)
            fate = Fate.SUPPRESSED if held_out else Fate.SHOWN
            reason = Suppression.CONTROL_GROUP if held_out else "best"
            cand = Candidate(offer.id, fate, reason, Scores(0.15, 10), Channel.IN_CALL, 1.0)
            decision = Decision(
                f"D{i}", customer_id, at, CallContext(at=at), Mode.SELL, 60, False, (cand,)
            )
            insert_decision(conn, decision)
            if not held_out:
                result = OutcomeResult.ACCEPTED if i % 3 == 0 else OutcomeResult.DECLINED
                record_outcome(conn, Outcome(f"D{i}", offer.id, result, at))
        rows = uplift_in_log(conn, segment="segment")
    overall = next(u for u in rows if u.segment == "all")
    assert overall.treated + overall.control == 300 - len(holders)
    assert overall.control > 20
    assert overall.control_converted == 0  # nobody took it up without the offer
    assert overall.significant
    assert {u.segment for u in rows} >= {"all", "mass"}


def test_a_control_share_added_later_leaves_earlier_calls_out_of_the_experiment(
    db_url: str, engine: Engine
) -> None:
    fill_small_bank(db_url, customers=50)
    with engine.begin() as conn:
        offer = next(o for o in list_offers(conn) if o.id == "mobile_banking")
        for i in range(1, 51):
            cand = Candidate(offer.id, Fate.SHOWN, "best", Scores(0.15, 10), Channel.IN_CALL, 1.0)
            at = AT + dt.timedelta(minutes=i)
            decision = Decision(
                f"E{i}", f"C{i:07d}", at, CallContext(at=at), Mode.SELL, 60, False, (cand,)
            )
            insert_decision(conn, decision)
        upsert_offers(conn, [offer.model_copy(update={"control_share": 0.5})])
        assert uplift_in_log(conn) == []
