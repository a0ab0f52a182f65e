"""The demo: a synthetic bank's day(s) of inbound calls played through the real decision path.

Generates the center into the store, then plays each day's calls in time order through a
first-come-first-served queue of agents: when an agent answers, servesell decides (with
the live number of calls waiting), the synthetic agent and customer respond from the
latent truth, outcomes are recorded, and offer talk time lengthens the call. The day's
digital follow-ups are then really sent to local sinks and answered by the customers who
receive them (:mod:`servesell.service.demo_follow_ups`). KPIs come from the decision log
like in production.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from servesell.channels.template_check import parse_templates
from servesell.domain import CallContext, Channel, OutcomeResult, QueueState
from servesell.errors import StoreError
from servesell.ingest import read_catalog, read_schema_file
from servesell.learn.adaptive import AdaptivePropensity
from servesell.queueing.settings import DEFAULT_GATE_KIND, GateKind, GateSettings
from servesell.report.funnel import Funnel
from servesell.report.kpis import TOTAL, Kpis, Tallies, kpis
from servesell.service.demo_follow_ups import FollowUpTally, People, Postman, tally_follow_ups
from servesell.service.engines import FixedEngine, build_engine
from servesell.service.handovers import book_in, funnel_report
from servesell.service.kpis import kpis_by
from servesell.service.learning import Saved, save_adaptive
from servesell.service.outbox import LinkBase
from servesell.service.screen import CallDesk
from servesell.store import (
    count_customers,
    get_meta,
    insert_calls,
    require_schema,
    save_schema,
    set_meta,
    upsert_agents,
    upsert_customers,
    upsert_offers,
    upsert_teams,
)
from servesell.store.channel_templates import save_templates
from servesell.store.evidence import learning_head
from servesell.store.handovers import list_handovers, record_result
from servesell.store.learning import last_outcome_id
from servesell.store.meta import clear_data
from servesell.synth import (
    LatentPropensity,
    TrafficProfile,
    bank_catalog_path,
    bank_schema_path,
    bank_templates_path,
    generate_calls,
    generate_customers,
    generate_staff,
    staff_for,
)
from servesell.synth.behaviour import respond
from servesell.synth.specialists import book_slot, specialist_results

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from servesell.domain import Agent, Call, Customer, Offer, Outcome

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``."""

DEMO_MARK = "demo_seed"
MODEL_SAMPLE = 5000
SL_TARGET_SECONDS = 20.0


@dataclass(frozen=True, slots=True)
class DemoConfig:
    """What to generate and play."""

    customers: int = 50_000
    days: int = 1
    seed: int = 7
    start: dt.date = dt.date(2026, 3, 2)
    calls_per_customer_day: float = 0.05
    timezone: str = "Asia/Shanghai"
    gate: GateKind = DEFAULT_GATE_KIND
    learn: bool = True
    public_url: str = "http://127.0.0.1:8000"

    def __post_init__(self) -> None:
        if self.customers < 10:
            raise ValueError(f"the demo needs at least 10 customers, got {self.customers}")
        if not 1 <= self.days <= 31:
            raise ValueError(f"days must be 1-31, got {self.days}")


@dataclass(frozen=True, slots=True)
class DemoResult:
    """KPIs of the played days plus the queue figures servesell must not spoil."""

    config: DemoConfig
    agents: int
    kpis: Kpis
    service_level: float
    asa_seconds: float
    sell_share: float
    wall_seconds: float
    gate: str
    model: str
    learned_outcomes: int
    follow_ups: FollowUpTally
    funnel: Funnel | None = None
    """The T+N funnel of the referral offers' yeses, judged 35 days after the last day."""


def run_demo(db: Engine, config: DemoConfig, progress: Progress | None = None) -> DemoResult:
    """Generate the center into ``db`` and play ``config.days`` days; see the module doc."""
    began = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    tz = ZoneInfo(config.timezone)
    with db.begin() as conn:
        customers, agents, offers = _prepare(conn, config, report)
    model = _new_model(db, customers, config) if config.learn else None
    with db.connect() as conn:
        engine = build_engine(
            conn,
            gate=GateSettings(kind=config.gate).build(),
            model=model,
            tz=tz,
            seed=config.seed,
        )
    queue = _QueueStats()
    center = _Center(
        db,
        CallDesk(db, FixedEngine(engine), links=LinkBase(config.public_url, tz, event_time=True)),
        {c.id: c for c in customers},
        agents,
        offers,
        queue,
        random.Random(config.seed),
        report,
        model,
        handover_rng=random.Random(config.seed * 31 + 21),
    )
    profile = TrafficProfile(calls_per_day=config.customers * config.calls_per_customer_day)
    people = People(center.customers, offers, center.truth, center.contexts)
    with Postman(db, people, tz=tz, seed=config.seed, model=model) as postman:
        for day_index in range(config.days):
            day = config.start + dt.timedelta(days=day_index)
            calls = generate_calls(profile, customers, day, tz, seed=config.seed * 1000 + day_index)
            center.play(calls, day, profile)
            report(f"follow-ups {day}", 0, 1)
            center.learned += postman.deliver(day)
            report(f"follow-ups {day}", 1, 1)
    funnel = _close_handovers(db, config, tz)
    if model is not None:
        with db.begin() as conn:
            head = learning_head(conn)  # the model learned every event of the log, in order
            save_adaptive(conn, Saved(model, center.learned, last_outcome_id(conn), head))
    with db.connect() as conn:
        total = kpis_by(conn, tz=tz).get(TOTAL) or kpis(Tallies())
        follow_ups = tally_follow_ups(conn)
    return DemoResult(
        config=config,
        agents=len(agents),
        kpis=total,
        service_level=queue.service_level,
        asa_seconds=queue.asa,
        sell_share=queue.sell_share,
        wall_seconds=time.perf_counter() - began,
        gate=config.gate,
        model="adaptive (learning from every outcome)" if model else "offer priors",
        learned_outcomes=center.learned,
        follow_ups=follow_ups,
        funnel=funnel,
    )


FUNNEL_AFTER_DAYS = 35
"""The demo's funnel is judged this long after its last day, when every N has run out."""


def _close_handovers(db: Engine, config: DemoConfig, tz: dt.tzinfo) -> Funnel:
    """The specialist teams work the demo's hand-overs (seeded); the funnel afterwards."""
    rng = random.Random(config.seed * 7919 + 21)
    since = dt.datetime.combine(config.start, dt.time(), tz)
    until = since + dt.timedelta(days=config.days)
    with db.begin() as conn:
        for h in list_handovers(conn, since=since):
            team = [f"{h.team}_{i}" for i in range(1, 4)]
            for result in specialist_results(h, team, rng):
                record_result(conn, result)
        now = until + dt.timedelta(days=FUNNEL_AFTER_DAYS)
        return funnel_report(conn, since=since, until=until, now=now).total


def _new_model(db: Engine, customers: list[Customer], config: DemoConfig) -> AdaptivePropensity:
    """A fresh adaptive model, its number bins fitted to the first customers."""
    with db.connect() as conn:
        schema = require_schema(conn)
    sample = customers[:MODEL_SAMPLE]
    return AdaptivePropensity.for_customers(schema, sample, at=config.start, seed=config.seed)


def _prepare(
    conn: Connection, config: DemoConfig, report: Progress
) -> tuple[list[Customer], list[Agent], dict[str, Offer]]:
    mark = get_meta(conn, DEMO_MARK)
    if mark is None and count_customers(conn) > 0:
        raise StoreError(
            "this database holds customers that the demo did not create; the demo "
            "replaces all data, so point it at another database (--db sqlite:///demo.db)"
        )
    clear_data(conn)
    set_meta(conn, DEMO_MARK, str(config.seed))
    schema = read_schema_file(bank_schema_path())
    save_schema(conn, schema)
    catalog = read_catalog(bank_catalog_path(), schema)
    if catalog.errors:  # pragma: no cover - the shipped catalog is tested
        raise StoreError(f"the demo catalog is invalid: {catalog.errors[0]}")
    upsert_offers(conn, catalog.offers)
    templates = parse_templates(
        bank_templates_path().read_text(encoding="utf-8"),
        source=str(bank_templates_path()),
        schema=schema,
        base_url=config.public_url,
        offers={o.id: o for o in catalog.offers},
    )
    save_templates(conn, templates)
    report("customers", 0, config.customers)
    customers = generate_customers(config.customers, seed=config.seed, as_of=config.start)
    upsert_customers(conn, customers)
    report("customers", config.customers, config.customers)
    profile = TrafficProfile(calls_per_day=config.customers * config.calls_per_customer_day)
    peak = max(profile.hourly_rates(config.start))
    teams, agents = generate_staff(staff_for(peak, profile.aht_mean_seconds), seed=config.seed)
    upsert_teams(conn, teams)
    upsert_agents(conn, agents)
    return customers, agents, {o.id: o for o in catalog.offers}


class _QueueStats:
    """Service figures of the played calls."""

    def __init__(self) -> None:
        self.answered = 0
        self.within_target = 0
        self.wait_total = 0.0
        self.selling = 0

    def add(self, wait: float, selling: bool) -> None:
        self.answered += 1
        self.within_target += wait <= SL_TARGET_SECONDS
        self.wait_total += wait
        self.selling += selling

    @property
    def service_level(self) -> float:
        return self.within_target / self.answered if self.answered else 1.0

    @property
    def asa(self) -> float:
        return self.wait_total / self.answered if self.answered else 0.0

    @property
    def sell_share(self) -> float:
        return self.selling / self.answered if self.answered else 0.0


@dataclass(slots=True)
class _Center:
    """What playing a day needs: the store, the engine and the synthetic people."""

    db: Engine
    desk: CallDesk
    customers: dict[str, Customer]
    agents: list[Agent]
    offers: dict[str, Offer]
    queue: _QueueStats
    rng: random.Random
    report: Progress
    model: AdaptivePropensity | None = None
    truth: LatentPropensity = field(default_factory=LatentPropensity)
    learned: int = 0
    contexts: dict[str, CallContext] = field(default_factory=dict)
    """The call of each decision with an offer: what its follow-ups' answers are judged on."""
    handover_rng: random.Random = field(default_factory=lambda: random.Random(21))

    def play(self, calls: list[Call], day: dt.date, profile: TrafficProfile) -> None:
        """First-come-first-served: each call waits for the earliest free agent."""
        arrivals = [c.started_at.timestamp() for c in calls]
        rates = profile.hourly_rates(day)
        free: list[tuple[float, int]] = [(0.0, i) for i in range(len(self.agents))]
        answered: list[Call] = []
        with self.db.begin() as conn:
            for i, call in enumerate(calls):
                free_at, agent_index = heapq.heappop(free)
                start = max(arrivals[i], free_at)
                waiting = bisect.bisect_right(arrivals, start) - (i + 1)
                agent = self.agents[agent_index]
                state = QueueState(
                    queue=call.queue,
                    at=dt.datetime.fromtimestamp(start, dt.UTC),  # answered: the snapshot's time
                    calls_waiting=max(waiting, 0),
                    agents_staffed=len(self.agents),
                    agents_available=sum(1 for t, _ in free if t <= start),
                    arrival_rate_per_hour=rates[call.started_at.hour],
                    aht_seconds=profile.aht_mean_seconds,
                )
                extra = self._serve(conn, call, agent, start, state)
                heapq.heappush(free, (start + call.handle_seconds + extra, agent_index))
                total = round(call.handle_seconds + extra, 1)
                answered.append(replace(call, agent_id=agent.id, handle_seconds=total))
                if (i + 1) % 200 == 0 or i + 1 == len(calls):
                    self.report(f"calls {day}", i + 1, len(calls))
            insert_calls(conn, answered)

    def _serve(
        self, conn: Connection, call: Call, agent: Agent, start: float, state: QueueState
    ) -> float:
        """Decide, respond and record; return the offer talk seconds the call gained."""
        context = CallContext(
            at=dt.datetime.fromtimestamp(start, dt.UTC),
            reason=call.reason,
            agent_id=agent.id,
            call_id=call.id,
            queue=call.queue,
        )
        pop = self.desk.pop_in(conn, call.customer_id, context, queue_state=state)
        decision, customer = pop.decision, pop.customer
        if decision.shown or decision.digital:
            self.contexts[decision.id] = decision.context
        extra = 0.0
        for outcome in respond(
            decision, customer, agent, offers=self.offers, truth=self.truth, rng=self.rng
        ):
            self.desk.record_in(conn, outcome)
            self._hand_over(conn, outcome)
            extra += outcome.extra_handle_seconds or 0.0
            if self.model is not None:
                offer = self.offers[outcome.offer_id]
                self.learned += self.model.observe(offer, customer, decision.context, outcome)
        self.queue.add(start - call.started_at.timestamp(), decision.budget_seconds > 0)
        return extra

    def _hand_over(self, conn: Connection, outcome: Outcome) -> None:
        """On a yes in the call to a referral offer the agent (usually) books a hand-over."""
        offer = self.offers[outcome.offer_id]
        yes = outcome.result is OutcomeResult.ACCEPTED and outcome.channel is Channel.IN_CALL
        if not (yes and offer.is_referral):
            return
        slot = book_slot(outcome.recorded_at, self.handover_rng)
        if slot is not None:
            book_in(conn, decision_id=outcome.decision_id, offer_id=offer.id, slot_at=slot,
                    at=outcome.recorded_at)  # fmt: skip
