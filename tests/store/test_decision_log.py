from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

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
from servesell.errors import NotFoundError, OutcomeError
from servesell.store import contact_history, get_decision, insert_decision, record_outcome
from servesell.store.tables import outcomes

AT = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def decision(decision_id: str = "d1") -> Decision:
    scores = Scores(0.1, 100.0)
    return Decision(
        id=decision_id,
        customer_id="C1",
        made_at=AT,
        context=CallContext(at=AT, reason="billing_inquiry", agent_id="A1", call_id="call-1"),
        mode=Mode.SELL,
        budget_seconds=300,
        explored=False,
        candidates=(
            Candidate("shown", Fate.SHOWN, "best_priority", scores, Channel.IN_CALL, 0.95, 1),
            Candidate("sms", Fate.DIGITAL, "digital_better_value", scores, Channel.SMS, 1.0),
            Candidate("held", Fate.SUPPRESSED, "control_group", scores),
        ),
        ineligible=("nope",),
    )


def outcome(offer_id: str = "shown", result=OutcomeResult.ACCEPTED, **kw) -> Outcome:
    return Outcome("d1", offer_id, result, AT + dt.timedelta(minutes=3), **kw)


@pytest.fixture
def logged(engine: Engine) -> Engine:
    with engine.begin() as conn:
        insert_decision(conn, decision())
    return engine


def test_decision_round_trips_with_every_candidate(logged: Engine) -> None:
    with logged.connect() as conn:
        assert get_decision(conn, "d1") == decision()


def test_recording_an_outcome_twice_counts_once(logged: Engine) -> None:
    with logged.begin() as conn:
        assert record_outcome(conn, outcome()) is True
        assert record_outcome(conn, outcome()) is False
        assert conn.execute(select(func.count()).select_from(outcomes)).scalar() == 1


def test_conflicting_outcome_is_rejected(logged: Engine) -> None:
    with logged.begin() as conn:
        record_outcome(conn, outcome())
        with pytest.raises(OutcomeError, match="already recorded as 'accepted'"):
            record_outcome(conn, outcome(result=OutcomeResult.DECLINED))


def test_outcome_for_unknown_decision_is_rejected(logged: Engine) -> None:
    with logged.begin() as conn, pytest.raises(NotFoundError, match="decision 'zz'"):
        record_outcome(conn, Outcome("zz", "shown", OutcomeResult.ACCEPTED, AT))


@pytest.mark.parametrize("offer_id", ["held", "never-a-candidate"])
def test_outcome_for_an_offer_not_made_is_rejected(logged: Engine, offer_id: str) -> None:
    with logged.begin() as conn, pytest.raises(OutcomeError, match=offer_id):
        record_outcome(conn, outcome(offer_id))


def test_digital_offer_takes_digital_outcomes_only(logged: Engine) -> None:
    with logged.begin() as conn:
        with pytest.raises(OutcomeError, match="sent digitally"):
            record_outcome(conn, outcome("sms"))
        assert record_outcome(conn, outcome("sms", channel=Channel.SMS))


def test_declined_in_call_can_still_be_accepted_from_the_follow_up(logged: Engine) -> None:
    with logged.begin() as conn:
        assert record_outcome(conn, outcome(result=OutcomeResult.DECLINED))
        assert record_outcome(conn, outcome(channel=Channel.SMS))


def test_contact_history_lists_offers_made_with_their_results(logged: Engine) -> None:
    with logged.begin() as conn:
        record_outcome(conn, outcome(result=OutcomeResult.DECLINED))
        history = contact_history(conn, "C1", AT - dt.timedelta(days=1))
    by_offer = {c.offer_id: c for c in history}
    assert set(by_offer) == {"shown", "sms"}
    assert by_offer["shown"].result is OutcomeResult.DECLINED
    assert by_offer["shown"].at == AT + dt.timedelta(minutes=3)
    assert by_offer["sms"].result is None
