"""The fast screen pop decides exactly what the straightforward path decides.

The hot path reads the contact history and the journeys' outbound conversations in one
statement, caches the queue's last report for a moment, runs each distinct rule once per
call and fills the epsilon marginals without copying lists. Here a seeded set of calls,
over customers with offers made, answered, declined and called outbound, is decided both
ways: through :meth:`CallDesk.screen_pop` and through the reference path written out
below (two history queries, every rule run per offer, list-copying arbitration, the
queue state read per call). Every decision must be equal field by field.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Connection, and_, insert, select
from sqlalchemy import Engine as Database

from servesell.decide import arbitrate as arbitration
from servesell.decide.catalog import Catalog, CompiledOffer
from servesell.domain import CallContext, QueueState
from servesell.domain.decision import Decision, Fate, Outcome, OutcomeResult
from servesell.domain.history import Contact
from servesell.domain.offer import Channel
from servesell.ingest import read_catalog, read_schema_file
from servesell.service.engines import FixedEngine, build_engine
from servesell.service.screen import CallDesk, history_span
from servesell.store import get_customer, open_db, save_schema, upsert_customers, upsert_offers
from servesell.store.queues import load_queue_state, save_queue_state
from servesell.store.tables import (
    decision_candidates,
    decisions,
    journey_tasks,
    outcomes,
    task_attempts,
)
from servesell.synth import bank_catalog_path, bank_schema_path, generate_customers
from support.postgres import fresh_database

AT = dt.datetime(2026, 3, 2, 2, 30, tzinfo=dt.UTC)
CUSTOMERS = 120
REASONS = ("billing_inquiry", "repayment", "limit_inquiry", "other")
SEED = 7


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A bank with 30 offers (rules shared by several), history and outbound calls."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("plain") / "plain.db"
        url = f"sqlite:///{path}"
    else:
        url = fresh_database(request.getfixturevalue("pg_server"))
    database = open_db(url)
    schema = read_schema_file(bank_schema_path())
    base = read_catalog(bank_catalog_path(), schema).offers
    catalog = [
        o.model_copy(update={"id": f"{o.id}-{i}", "lever": 1.0 + i / 10})
        for i in range(30 // len(base) + 1)
        for o in base
    ][:30]
    with database.begin() as conn:
        save_schema(conn, schema)
        upsert_offers(conn, catalog)
        upsert_customers(conn, generate_customers(CUSTOMERS, seed=SEED, as_of=AT.date()))
    _history(database)
    yield database
    database.dispose()


def _history(db: Database) -> None:
    """Earlier logged decisions with answers, and journeys' outbound attempts."""
    rng = random.Random(SEED)
    with db.connect() as conn:
        engine = build_engine(conn, seed=SEED)
    desk = CallDesk(db, FixedEngine(engine))
    for i in range(150):
        customer_id = _customer(rng)
        at = AT - dt.timedelta(days=rng.randint(0, 20), minutes=i)
        pop = desk.screen_pop(customer_id, CallContext(at=at, reason=REASONS[i % 4]))
        for candidate in pop.decision.shown:
            answer = rng.choice([OutcomeResult.ACCEPTED, OutcomeResult.DECLINED, None])
            if answer is not None:
                desk.record(
                    Outcome(pop.decision.id, candidate.offer_id, answer, at + dt.timedelta(0, 60))
                )
    with db.begin() as conn:
        for n in range(60):
            _outbound(conn, n, _customer(rng), rng)


def _outbound(conn: Connection, n: int, customer_id: str, rng: random.Random) -> None:
    at = AT - dt.timedelta(days=rng.randint(0, 40), hours=n % 5)
    task_id = conn.execute(
        insert(journey_tasks)
        .values(
            journey_id=f"j{n % 3}",
            step="call",
            event_id=f"e{n}",
            customer_id=customer_id,
            channel="call",
            due_from=at,
            valid_until=at + dt.timedelta(days=1),
            status="done",
            attempts=1,
            created_at=at,
            updated_at=at,
        )
        .returning(journey_tasks.c.id)
    ).scalar_one()
    conn.execute(
        insert(task_attempts).values(
            task_id=task_id,
            customer_id=customer_id,
            at=at,
            disposition=rng.choice(["answered", "callback", "refused", "no_answer"]),
            agent_id=None,
            detail={"decision_id": "d-logged"} if n % 7 == 0 else {},
        )
    )


def _customer(rng: random.Random) -> str:
    return f"C{rng.randint(1, CUSTOMERS):07d}"


def test_the_fast_path_decides_as_the_reference_path(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """200 seeded calls, with queue reports between them, decided both ways, are equal."""
    calls = _calls()
    with db.connect() as conn:
        fast_engine = build_engine(conn, seed=SEED)
        reference_engine = build_engine(conn, seed=SEED)
    desk = CallDesk(db, FixedEngine(fast_engine))
    fast = [_pop(db, desk, customer_id, ctx, state) for customer_id, ctx, state in calls]
    assert any(d.shown for d in fast)
    assert any(d.ineligible for d in fast)
    monkeypatch.setattr(arbitration, "_fill", _reference_fill)
    reference_engine.catalog = _ReferenceCatalog(reference_engine.catalog)  # type: ignore[assignment]
    reference = []
    for customer_id, ctx, state in calls:
        if state is not None:
            _report(db, state)
        with db.connect() as conn:
            engine = reference_engine
            customer = get_customer(conn, customer_id, engine.catalog.schema)
            history = _reference_history(conn, customer_id, ctx.at - history_span(engine))
            queue = _reference_state(conn, ctx)
            reference.append(engine.decide(customer, ctx, history=history, queue_state=queue))
    assert fast == reference


def _calls() -> list[tuple[str, CallContext, QueueState | None]]:
    """Seeded calls; every 25th carries a fresh queue report (busy, then quiet again)."""
    rng = random.Random(SEED + 1)
    out: list[tuple[str, CallContext, QueueState | None]] = []
    for i in range(200):
        at = AT + dt.timedelta(seconds=i)
        state = None
        if i % 25 == 0:
            busy = (i // 25) % 2 == 1
            state = QueueState(
                queue="default",
                at=at,
                calls_waiting=9 if busy else 0,
                agents_available=0 if busy else 4,
                agents_staffed=10,
                longest_wait_seconds=120.0 if busy else 0.0,
                arrival_rate_per_hour=300.0,
                aht_seconds=240.0,
            )
        out.append((_customer(rng), CallContext(at=at, reason=REASONS[i % 4]), state))
    return out


def _pop(
    db: Database, desk: CallDesk, customer_id: str, ctx: CallContext, state: QueueState | None
) -> Decision:
    if state is not None:
        _report(db, state)
    return desk.screen_pop(customer_id, ctx, log=False).decision


def _report(db: Database, state: QueueState) -> None:
    with db.begin() as conn:
        save_queue_state(conn, state)


def _reference_state(conn: Connection, ctx: CallContext) -> QueueState | None:
    """The queue's last report read on every call (the rate and AHT are reported)."""
    state = load_queue_state(conn, ctx.queue)
    if state is not None and ctx.at > state.at:
        state = state.model_copy(update={"at": ctx.at})
    return state


class _ReferenceCatalog:
    """The catalog's split as a plain loop: every active offer's rule run for itself."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self.schema = catalog.schema
        self.offers = catalog.offers
        self.by_id = catalog.by_id

    def __len__(self) -> int:
        return len(self.offers)

    def split(self, customer: object, day: dt.date) -> tuple[list[CompiledOffer], list[str]]:
        eligible: list[CompiledOffer] = []
        ineligible: list[str] = []
        for compiled in self.offers:
            if not compiled.offer.is_active_on(day):
                continue
            if compiled.rule(customer, day) is True:
                eligible.append(compiled)
            else:
                ineligible.append(compiled.offer.id)
        return eligible, ineligible


def _reference_fill(
    order: Sequence[arbitration.Contender],
    budget: float,
    k: int,
    *,
    first: arbitration.Contender | None = None,
) -> set[str]:
    """The fill as it was: ``first`` put in front of a copy of the order."""
    chosen: set[str] = set()
    left = budget
    for c in [first, *order] if first is not None else order:
        if len(chosen) == k:
            break
        if c.offer_id not in chosen and c.seconds <= left:
            chosen.add(c.offer_id)
            left -= c.seconds
    return chosen


def _reference_history(conn: Connection, customer_id: str, since: dt.datetime) -> list[Contact]:
    """The contact history as two statements: offers made, then outbound conversations."""
    joined = decision_candidates.join(
        decisions, decisions.c.id == decision_candidates.c.decision_id
    ).outerjoin(
        outcomes,
        and_(
            outcomes.c.decision_id == decision_candidates.c.decision_id,
            outcomes.c.offer_id == decision_candidates.c.offer_id,
        ),
    )
    made = (
        select(
            decision_candidates.c.offer_id,
            decision_candidates.c.channel,
            decisions.c.made_at,
            decisions.c.id,
            outcomes.c.result,
            outcomes.c.recorded_at,
        )
        .select_from(joined)
        .where(
            decisions.c.customer_id == customer_id,
            decisions.c.made_at >= since,
            decision_candidates.c.fate.in_([Fate.SHOWN.value, Fate.DIGITAL.value]),
        )
        .order_by(decisions.c.made_at, outcomes.c.id)
    )
    contacts: dict[tuple[str, str], Contact] = {}
    for row in conn.execute(made):
        result = OutcomeResult(row.result) if row.result else None
        contact = Contact(
            offer_id=row.offer_id,
            channel=Channel(row.channel),
            at=row.recorded_at if result is OutcomeResult.DECLINED else row.made_at,
            result=result,
            decision_id=row.id,
        )
        earlier = contacts.get((row.id, row.offer_id))
        if earlier is None or (
            contact.result is OutcomeResult.ACCEPTED
            and earlier.result is not OutcomeResult.ACCEPTED
        ):
            contacts[(row.id, row.offer_id)] = contact
    outbound = (
        select(
            task_attempts.c.at,
            task_attempts.c.disposition,
            task_attempts.c.detail,
            journey_tasks.c.journey_id,
            journey_tasks.c.step,
        )
        .join_from(task_attempts, journey_tasks, journey_tasks.c.id == task_attempts.c.task_id)
        .where(
            task_attempts.c.customer_id == customer_id,
            task_attempts.c.at >= since,
            task_attempts.c.disposition.in_(["answered", "callback", "refused"]),
        )
        .order_by(task_attempts.c.at, task_attempts.c.id)
    )
    calls = [
        Contact(
            offer_id=f"journey:{r.journey_id}/{r.step}",
            channel=Channel.IN_CALL,
            at=r.at,
            result=OutcomeResult.DECLINED if r.disposition == "refused" else OutcomeResult.ACCEPTED,
        )
        for r in conn.execute(outbound)
        if not (r.detail or {}).get("decision_id")
    ]
    return [*contacts.values(), *calls]


def test_history_is_the_reference_history(db: Database) -> None:
    """The one-statement history (alone, and joined to the customer) is the reference's."""
    from servesell.errors import NotFoundError
    from servesell.store import contact_history, customer_with_history, load_schema

    since = AT - dt.timedelta(days=30)
    with db.connect() as conn:
        schema = load_schema(conn)
        assert schema is not None
        for n in range(1, CUSTOMERS + 1):
            customer_id = f"C{n:07d}"
            reference = _reference_history(conn, customer_id, since)
            assert contact_history(conn, customer_id, since) == reference, customer_id
            customer, history = customer_with_history(conn, customer_id, schema, since)
            assert customer == get_customer(conn, customer_id, schema)
            assert history == reference, customer_id
        with pytest.raises(NotFoundError):
            customer_with_history(conn, "C-nobody", schema, since)


def test_a_cached_queue_state_is_dropped_by_a_report_and_ages_out(db: Database) -> None:
    """A report in this process is seen at once; a change elsewhere within ``state_ttl``."""
    from sqlalchemy import update

    from servesell.service.queues import LoadCache
    from servesell.store.tables import queue_states

    state = QueueState(
        queue="q-cache", at=AT, calls_waiting=0, agents_staffed=2, agents_available=2
    )
    loads = LoadCache(state_ttl=3600.0)
    with db.begin() as conn:
        assert loads.state(conn, "q-cache") is None
        save_queue_state(conn, state)
        assert loads.state(conn, "q-cache") == state  # reported here: dropped at once
        elsewhere = state.model_copy(update={"calls_waiting": 5, "agents_available": 0})
        conn.execute(
            update(queue_states)
            .where(queue_states.c.queue == "q-cache")
            .values(state=elsewhere.model_dump(mode="json"))
        )
        assert loads.state(conn, "q-cache") == state  # another worker's report: not yet
        assert LoadCache(state_ttl=0.0).state(conn, "q-cache") == elsewhere  # aged out
