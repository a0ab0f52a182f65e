"""A decision and its candidates written in one statement on PostgreSQL read back whole."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from servesell.domain import CallContext, Candidate, Channel, Decision, Fate, Mode, Scores
from servesell.store import get_decision, insert_decision
from servesell.store.tables import decision_candidates, decisions

AT = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def decision(decision_id: str, candidates: tuple[Candidate, ...]) -> Decision:
    """A logged decision of customer C1 with ``candidates``."""
    return Decision(
        id=decision_id,
        customer_id="C1",
        made_at=AT,
        context=CallContext(at=AT, reason="billing_inquiry", agent_id="A1", call_id=decision_id),
        mode=Mode.SELL,
        budget_seconds=300,
        explored=False,
        candidates=candidates,
        ineligible=("nope", "never"),
    )


ODD = (  # ints in float columns, no channel, no rank, text with quotes and braces
    Candidate("shown", Fate.SHOWN, "best_priority", Scores(1, 100), Channel.IN_CALL, 1, 1),
    Candidate("sms", Fate.DIGITAL, 'a "b" {c}, d', Scores(0.25, 3.5, 0.5), Channel.SMS, 0.5),
    Candidate("held", Fate.SUPPRESSED, "control_group", Scores(0.1, 2.0)),
)


@pytest.mark.parametrize("candidates", [ODD, ODD[2:], ()], ids=["three", "one", "none"])
def test_a_decision_reads_back_as_written(
    engine: Engine, candidates: tuple[Candidate, ...]
) -> None:
    made = decision("d1", candidates)
    with engine.begin() as conn:
        insert_decision(conn, made)
    with engine.connect() as conn:
        assert get_decision(conn, "d1") == made


def test_a_failed_write_raises_as_sqlalchemy_and_leaves_nothing(engine: Engine) -> None:
    with engine.begin() as conn:
        insert_decision(conn, decision("d1", ODD))
    with engine.connect() as conn, conn.begin():
        insert_decision(conn, decision("d2", ODD[:1]))
        with pytest.raises(IntegrityError):
            insert_decision(conn, decision("d1", ODD[1:]))  # the decision's id is taken
        conn.rollback()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(decisions)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(decision_candidates)).scalar() == 3
