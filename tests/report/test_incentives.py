"""Incentives: rates frozen at the sale, the service gate, clawback, competitions, statements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from servesell.domain import Agent, Call, CallContext, Outcome, OutcomeResult, Team
from servesell.errors import ServesellError
from servesell.report.incentives import AgentService, IncentivePlan, ServiceGate, judge_service
from servesell.service.catalog import save_offer
from servesell.service.engines import FixedEngine, build_engine
from servesell.service.kpis import kpis_by
from servesell.service.outcomes import record
from servesell.service.pay import (
    add_competition,
    competition_standings,
    pay_statement,
    set_plan,
)
from servesell.service.screen import CallDesk
from servesell.store import (
    insert_calls,
    open_db,
    save_schema,
    upsert_agents,
    upsert_customers,
    upsert_offers,
    upsert_teams,
)
from servesell.store.incentives import close_competition
from servesell.store.sales import record_sale_event
from servesell.store.surveys import Survey, save_surveys
from support.decide import SCHEMA, customer, make_engine, offer

AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
MONTH = (dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
TZ = dt.UTC


@pytest.fixture
def center(any_db_url: str) -> Iterator[Engine]:
    db = open_db(any_db_url)
    with db.begin() as conn:
        save_schema(conn, SCHEMA)
        upsert_offers(conn, [offer("card", piece_rate=8.0, value=180.0, extra_handle_seconds=60)])
        upsert_customers(conn, [customer(f"C{i}") for i in range(1, 6)])
        upsert_teams(conn, [Team("T1", "one")])
        upsert_agents(conn, [Agent("A1", "Li Na", "T1"), Agent("A2", "Wang Wei", "T1")])
    yield db
    db.dispose()


def sell(db: Engine, customer_id: str, agent: str = "A1", at: dt.datetime = AT) -> str:
    with db.connect() as conn:
        engine = build_engine(conn, gate=make_engine([]).gate, seed=int(customer_id[1:]))
    desk = CallDesk(db, FixedEngine(engine))
    ctx = CallContext(at=at, reason="billing_inquiry", agent_id=agent, call_id=customer_id)
    decision = desk.screen_pop(customer_id, ctx).decision
    record(db, Outcome(decision.id, "card", OutcomeResult.ACCEPTED, at))
    with db.begin() as conn:
        insert_calls(conn, [Call(customer_id, customer_id, at, "billing_inquiry", 200.0, agent)])
    return decision.id


def statement_of(db: Engine, agent: str = "A1"):
    with db.connect() as conn:
        return pay_statement(conn, agent, since=MONTH[0], until=MONTH[1], tz=TZ)


def test_a_changed_piece_rate_leaves_past_commission_unchanged(center: Engine) -> None:
    sell(center, "C1")
    before = statement_of(center)
    save_offer(
        center,
        offer("card", piece_rate=50.0, value=180.0, extra_handle_seconds=60).model_dump(),
        actor="t",
    )
    set_plan(center, {"difficulty": {"card": 3.0}, "handle_weight": 0.5}, actor="t")
    after = statement_of(center)
    with center.connect() as conn:
        commission = kpis_by(conn, tz=TZ)["all"].commission
    assert before.gross_commission == after.gross_commission == commission == 8.0


def test_the_rate_in_force_at_the_sale_weights_difficulty_and_handle_time(center: Engine) -> None:
    set_plan(center, {"difficulty": {"card": 2.0}, "handle_weight": 0.25}, actor="t")
    sell(center, "C1")
    assert statement_of(center).gross_commission == 8.0 * 2.0 * (1 + 0.25 * 1.0)


def test_service_below_the_gate_withholds_commission(center: Engine) -> None:
    set_plan(center, {"gate": {"min_csat": 4.0, "min_surveys": 2}}, actor="t")
    sell(center, "C1")
    sell(center, "C2")
    with center.begin() as conn:
        save_surveys(conn, [Survey("C1", 2, True, AT), Survey("C2", 3, False, AT)], source="t")
    s = statement_of(center)
    assert (s.gross_commission, s.commission_paid, s.total) == (16.0, 0.0, 0.0)
    assert not s.gate.passed
    assert "CSAT 2.50 below 4" in s.gate.reasons[0]


def test_too_few_surveys_do_not_judge_satisfaction() -> None:
    gate = ServiceGate(min_csat=4.0, min_surveys=5)
    assert judge_service(AgentService(2, 1.0, 0.0, 100.0), gate).passed


def test_a_sale_cancelled_within_the_window_is_clawed_back(center: Engine) -> None:
    set_plan(center, {"clawback_days": 30}, actor="t")
    early = sell(center, "C1", at=AT - dt.timedelta(days=20))
    old = sell(center, "C2", at=AT - dt.timedelta(days=90))
    with center.begin() as conn:
        assert record_sale_event(conn, early, "card", "cancelled", AT - dt.timedelta(days=5))
        assert not record_sale_event(conn, early, "card", "cancelled", AT - dt.timedelta(days=5))
        record_sale_event(conn, old, "card", "cancelled", AT)
        with pytest.raises(ServesellError):
            record_sale_event(conn, "nope", "card", "cancelled", AT)
    now = dt.datetime.now(dt.UTC)
    with center.connect() as conn:
        s = pay_statement(
            conn, "A1", since=now - dt.timedelta(hours=1), until=now + dt.timedelta(hours=1), tz=TZ
        )
    assert s.clawbacks == -8.0
    assert s.total == -8.0


def test_competition_ranks_by_its_metric_and_pays_the_winner(center: Engine) -> None:
    sell(center, "C1", "A1")
    sell(center, "C2", "A2")
    sell(center, "C3", "A2")
    add_competition(
        center,
        {"id": "march", "name": "March", "starts_on": "2026-03-01", "ends_on": "2026-03-31",
         "metric": "sales", "winners": 1, "prize": 100, "min_calls": 1},
        actor="t",
    )  # fmt: skip
    with center.connect() as conn:
        _, ranked, frozen = competition_standings(conn, "march", tz=TZ)
    assert [(s.key, s.value) for s in ranked] == [("A2", 2.0), ("A1", 1.0)]
    assert frozen is None
    with center.begin() as conn:
        close_competition(conn, "march", [{"rank": 1, "key": "A2", "value": 2.0, "calls": 2}])
    assert statement_of(center, "A2").prizes == 100.0
    assert statement_of(center, "A1").prizes == 0.0


def test_a_bad_plan_names_the_field(center: Engine) -> None:
    with pytest.raises(ServesellError, match="handle_weight"):
        set_plan(center, {"handle_weight": -1}, actor="t")
    assert IncentivePlan().clawback_days == 30
