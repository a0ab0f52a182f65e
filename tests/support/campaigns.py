"""The synthetic campaign world played in memory: the real engine and hold-out, no store.

The units are derived from what was decided and bought exactly as ``store.campaign_units``
derives them from the log (a test checks both agree on the same run), so the 40-run
coverage test needs no database.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from servesell.campaigns import Unit, in_holdout
from servesell.campaigns.holdout import govern
from servesell.decide import Catalog, Engine
from servesell.domain import CallContext, Decision, Outcome, OutcomeResult
from servesell.domain.campaign import CampaignRecord, CampaignState
from servesell.ingest import read_catalog, read_schema_file
from servesell.queueing.gate import AlwaysGate
from servesell.service.campaign_demo import DEMO_POLICY, CampaignDemoConfig
from servesell.service.campaign_world import CampaignWorld, shadow_engine
from servesell.synth import bank_catalog_path, bank_schema_path, generate_customers, generate_staff


@dataclass
class MemoryLedger:
    """Decisions by the engine itself; outcomes, purchases and surveys kept in lists."""

    engine: Engine
    customers: dict
    decisions: list[Decision] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    purchases: list[tuple[str, str, dt.datetime, str]] = field(default_factory=list)

    def decide(self, customer_id: str, context: CallContext) -> Decision:
        decision = self.engine.decide(self.customers[customer_id], context)
        self.decisions.append(decision)
        return decision

    def record(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

    def purchase(self, customer_id: str, product: str, at: dt.datetime, source: str) -> None:
        self.purchases.append((customer_id, product, at, source))

    def survey(self, call_id: str, csat: int, resolved: bool, at: dt.datetime) -> None:
        pass


@dataclass(frozen=True)
class MemoryRun:
    units: list[Unit]
    true_conversion_lift: float
    true_revenue_lift: float


def play_in_memory(config: CampaignDemoConfig) -> MemoryRun:
    """The same world as ``play_campaign`` with the same seed, kept in memory."""
    tz = ZoneInfo(config.timezone)
    campaign = config.campaign()
    schema = read_schema_file(bank_schema_path())
    offers = list(read_catalog(bank_catalog_path(), schema).offers)
    customers = generate_customers(config.customers, seed=config.seed, as_of=config.world.start)
    _, agents = generate_staff(config.agents, seed=config.seed)
    world = CampaignWorld(
        campaign=campaign,
        config=config.world,
        customers={c.id: c for c in customers},
        agents=agents,
        offers={o.id: o for o in offers},
        tz=tz,
        rng=random.Random(config.seed),
    )
    running = CampaignRecord(campaign=campaign, state=CampaignState.RUNNING)
    engine = Engine(
        Catalog(govern(offers, [running]), schema),
        policy=DEMO_POLICY,
        gate=AlwaysGate(),
        tz=tz,
        seed=config.seed,
    )
    ledger = MemoryLedger(engine, world.customers)
    world.pre_period(ledger)
    world.play(world.calls(), ledger, shadow_engine(engine, campaign, offers))
    truths = list(world.truths.values())
    return MemoryRun(
        units=_units(ledger, world),
        true_conversion_lift=sum(t[0] for t in truths) / len(truths),
        true_revenue_lift=sum(t[1] for t in truths) / len(truths),
    )


def _units(ledger: MemoryLedger, world: CampaignWorld) -> list[Unit]:
    ours = set(world.campaign.offers)
    first: dict[str, Decision] = {}
    for d in ledger.decisions:
        if ours & {c.offer_id for c in d.candidates}:
            first.setdefault(d.customer_id, d)
    by_decision = {d.id: d for d in first.values()}
    sold: dict[str, dict[str, float]] = {cid: {} for cid in first}
    for o in ledger.outcomes:
        d = by_decision.get(o.decision_id)
        if d is not None and o.offer_id in ours and o.result is OutcomeResult.ACCEPTED:
            value = next(c.scores.value for c in d.candidates if c.offer_id == o.offer_id)
            sold[d.customer_id][world.offers[o.offer_id].product] = value
    values = {world.offers[o].product: world.offers[o].value for o in ours}
    pre: dict[str, int] = {}
    for cid, product, at, _ in ledger.purchases:
        if at < world.start:
            pre[cid] = pre.get(cid, 0) + 1
        elif cid in first and product in values and first[cid].made_at <= at < world.end:
            sold[cid].setdefault(product, values[product])
    return [
        Unit(
            customer_id=cid,
            treated=not in_holdout(world.campaign, cid),
            converted=bool(sold[cid]),
            revenue=round(sum(sold[cid].values()), 2),
            pre_purchases=float(pre.get(cid, 0)),
        )
        for cid in sorted(first)
    ]
