"""Online learning: the learning log holds each answer once, in commit order; every copy
of the model learns each event exactly once; checkpoints never go backwards; crashes and
retries lose or double nothing."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from servesell.domain import CallContext, Outcome, OutcomeResult
from servesell.service.engines import FixedEngine, build_engine
from servesell.service.learning import learn_from_log, load_adaptive, save_adaptive
from servesell.service.monitor import model_status
from servesell.service.online import OnlineModel
from servesell.service.outcomes import record, record_in
from servesell.service.screen import CallDesk
from servesell.store import open_db, save_schema, upsert_customers, upsert_offers
from servesell.store.db import write_transaction
from servesell.store.evidence import expire_digital, learning_head
from servesell.store.tables import learning_events, outcomes
from support.decide import SCHEMA, customer, make_engine, offer

AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
CUSTOMERS = 40


@pytest.fixture
def center(any_db_url: str) -> Iterator[Engine]:
    db = open_db(any_db_url)
    with db.begin() as conn:
        save_schema(conn, SCHEMA)
        upsert_offers(conn, [offer("card", value=180.0), offer("sms_only", channels=["sms"])])
        people = [customer(f"C{i}", attributes={"age": 20 + i}) for i in range(CUSTOMERS)]
        upsert_customers(conn, people)
    yield db
    db.dispose()


def _desk(db: Engine) -> CallDesk:
    with db.connect() as conn:
        engine = build_engine(conn, gate=make_engine([]).gate, seed=1)
    return CallDesk(db, FixedEngine(engine))


def _calls(db: Engine, n: int = CUSTOMERS) -> list:
    desk = _desk(db)
    out = []
    for i in range(n):
        ctx = CallContext(at=AT, reason="billing_inquiry", call_id=f"K{i}")
        out.append(desk.screen_pop(f"C{i}", ctx).decision)
    return out


def _answer_all(db: Engine, decisions: list) -> int:
    answered = 0
    for i, d in enumerate(decisions):
        for c in d.shown:
            result = OutcomeResult.ACCEPTED if i % 3 == 0 else OutcomeResult.DECLINED
            answered += record(db, Outcome(d.id, c.offer_id, result, AT + dt.timedelta(minutes=2)))
    return answered


def _seqs(db: Engine) -> list[int]:
    with db.connect() as conn:
        return list(conn.execute(select(learning_events.c.seq).order_by("seq")).scalars())


def test_every_answer_enters_the_learning_log_once_with_gapless_seq(center: Engine) -> None:
    decisions = _calls(center)
    answered = _answer_all(center, decisions)
    assert answered > 10
    for i, d in enumerate(decisions[:6]):  # retried clicks store nothing new
        result = OutcomeResult.ACCEPTED if i % 3 == 0 else OutcomeResult.DECLINED
        for c in d.shown:
            assert not record(center, Outcome(d.id, c.offer_id, result, AT))
    assert _seqs(center) == list(range(1, answered + 1))


def test_not_offered_teaches_nothing(center: Engine) -> None:
    d = next(d for d in _calls(center) if d.shown)
    assert record(center, Outcome(d.id, d.shown[0].offer_id, OutcomeResult.NOT_OFFERED, AT))
    assert _seqs(center) == []


def test_an_outcome_rolled_back_leaves_no_event_and_no_gap(center: Engine) -> None:
    decisions = [d for d in _calls(center) if d.shown]
    first, second = decisions[0], decisions[1]

    def fails_after_recording() -> None:
        with write_transaction(center) as conn:
            outcome = Outcome(first.id, first.shown[0].offer_id, OutcomeResult.ACCEPTED, AT)
            record_in(conn, outcome)
            raise RuntimeError("the request failed after the outcome was written")

    with pytest.raises(RuntimeError):
        fails_after_recording()
    record(center, Outcome(second.id, second.shown[0].offer_id, OutcomeResult.ACCEPTED, AT))
    record(center, Outcome(first.id, first.shown[0].offer_id, OutcomeResult.ACCEPTED, AT))
    assert _seqs(center) == [1, 2]


def test_an_unanswered_digital_send_expires_as_a_no_once(center: Engine) -> None:
    decisions = _calls(center)
    sent = [(d, c) for d in decisions for c in d.digital]
    assert sent
    with write_transaction(center) as conn:
        early = expire_digital(conn, now=AT + dt.timedelta(days=1), window=dt.timedelta(days=7))
    with write_transaction(center) as conn:
        expired = expire_digital(conn, now=AT + dt.timedelta(days=8), window=dt.timedelta(days=7))
    with write_transaction(center) as conn:
        again = expire_digital(conn, now=AT + dt.timedelta(days=9), window=dt.timedelta(days=7))
    assert (early, expired, again) == (0, len(sent), 0)
    d, c = sent[0]  # a late answer is a sale, but the model already counted it as a no
    late = Outcome(d.id, c.offer_id, OutcomeResult.ACCEPTED, AT + dt.timedelta(days=10), c.channel)
    assert record(center, late)
    with center.connect() as conn:
        rows = conn.execute(select(learning_events.c.accepted)).scalars().all()
        stored = conn.execute(select(func.count()).select_from(outcomes)).scalar_one()
    assert rows == [False] * len(sent)
    assert stored == 1


def test_every_copy_learns_each_event_once_and_agrees_with_a_clean_replay(center: Engine) -> None:
    workers = [OnlineModel(sweep_seconds=1e9), OnlineModel(sweep_seconds=1e9)]
    decisions = _calls(center)
    half = len(decisions) // 2
    _answer_all(center, decisions[:half])
    for w in workers:
        w.tick(center)  # the first tick creates the model; both load it
        with center.connect() as conn:
            w.load(conn)
    _answer_all(center, decisions[half:])
    for w in workers:
        w.tick(center)
        w.tick(center)  # a second catch-up finds nothing new
    with center.connect() as conn:
        head = learning_head(conn)
        clean = load_adaptive(conn)  # the created model, before any event
        assert clean.last_seq == 0
        learn_from_log(conn, clean)
    assert [w.saved.last_seq for w in workers] == [head, head]
    assert [w.saved.outcomes for w in workers] == [head, head]
    states = [w.saved.model.state()["learners"] for w in workers]
    assert states[0] == states[1] == clean.model.state()["learners"]
    assert sum(v["n"] for v in states[0].values()) == head


def test_a_checkpoint_never_goes_backwards_nor_over_a_reset(center: Engine) -> None:
    _answer_all(center, _calls(center))
    with center.begin() as conn:
        behind = load_adaptive(conn, fresh=True)
        learn_from_log(conn, behind, limit=5)
        ahead = load_adaptive(conn, fresh=True)
        learn_from_log(conn, ahead)
        assert save_adaptive(conn, ahead)  # a new model: epoch 1
        older = load_adaptive(conn)
        assert older.epoch == 1
        older.last_seq -= 1  # as if it had applied less
        assert not save_adaptive(conn, older)
        reset = load_adaptive(conn, fresh=True)
        assert save_adaptive(conn, reset)  # epoch 2
        ahead.last_seq += 100
        assert not save_adaptive(conn, ahead)  # epoch 1 may not write over epoch 2
        assert load_adaptive(conn).epoch == 2


CRASH = textwrap.dedent(
    """
    import os, sys
    from servesell.store import open_db
    from servesell.store.db import write_transaction
    from servesell.service import learning
    from servesell.service.learning import learn_from_log, load_adaptive, save_adaptive

    db = open_db(sys.argv[1])
    with db.connect() as conn:
        saved = load_adaptive(conn)
        learn_from_log(conn, saved)
    real = learning.save_checkpoint

    def dies_before_commit(*args, **kwargs):
        real(*args, **kwargs)  # the new state is written, not committed
        os._exit(9)

    learning.save_checkpoint = dies_before_commit
    with write_transaction(db) as tx:
        save_adaptive(tx, saved)
    """
)


def test_a_learner_killed_while_writing_its_checkpoint_loses_and_doubles_nothing(
    center: Engine,
) -> None:
    decisions = _calls(center)
    _answer_all(center, decisions[:10])
    with center.begin() as conn:
        first = load_adaptive(conn, fresh=True)
        learn_from_log(conn, first)
        save_adaptive(conn, first)
    _answer_all(center, decisions[10:])
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    died = subprocess.run([sys.executable, "-c", CRASH, str(center.url.render_as_string(False))],
                          env=env, capture_output=True, timeout=120, check=False)  # fmt: skip
    assert died.returncode == 9, died.stderr.decode()[-2000:]
    with center.begin() as conn:
        after = load_adaptive(conn)
        assert (after.last_seq, after.outcomes) == (first.last_seq, first.outcomes)
        learn_from_log(conn, after)  # the next learner resumes from the old checkpoint
        assert save_adaptive(conn, after)
        clean = load_adaptive(conn, fresh=True)
        learn_from_log(conn, clean)
        head = learning_head(conn)
    assert after.last_seq == clean.last_seq == head
    assert after.outcomes == clean.outcomes == head
    learned = after.model.state()["learners"]
    assert learned == clean.model.state()["learners"]
    assert sum(v["n"] for v in learned.values()) == head


def test_the_status_says_when_the_model_learned_and_from_how_many(center: Engine) -> None:
    answered = _answer_all(center, _calls(center))
    online = OnlineModel(sweep_seconds=1e9)
    online.tick(center)
    with center.connect() as conn:
        online.load(conn)
        status = model_status(conn, online, now=AT + dt.timedelta(hours=1))
    assert status.exists
    assert status.learned_outcomes == answered == status.log_events
    assert status.last_learned_at == AT + dt.timedelta(minutes=2)
    assert sum(e.outcomes for e in status.evidence) == answered
    assert {w.offer_id for w in status.offers} == {"card"}


def test_a_reset_model_is_picked_up_by_every_copy_without_a_restart(center: Engine) -> None:
    _answer_all(center, _calls(center))
    online = OnlineModel(sweep_seconds=1e9)
    online.tick(center)
    online.tick(center)
    assert online.saved is not None
    assert online.saved.epoch == 1
    with center.begin() as conn:
        fresh = load_adaptive(conn, fresh=True)
        learn_from_log(conn, fresh, limit=3)
        save_adaptive(conn, fresh)
    online.tick(center)
    assert (online.saved.epoch, online.saved.last_seq) == (2, _seqs(center)[-1])
