"""A synthetic campaign played through the real decision path, with its true lift known.

The synthetic bank is stored (customers, staff, catalog, pre-period purchases); a
campaign is saved, planned, approved and started; callers phone in during its days and
every call goes through :class:`~servesell.service.screen.CallDesk` (the real engine, the
real hold-out, the real log); then the campaign is ended. The world and its truth are
:class:`~servesell.service.campaign_world.CampaignWorld`. Used by ``servesell campaign
demo``, the tests and the browser test.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from servesell.decide import ContactPolicy
from servesell.domain.campaign import Campaign, CampaignState
from servesell.errors import StoreError
from servesell.ingest import read_catalog, read_schema_file
from servesell.queueing.gate import AlwaysGate
from servesell.service import campaigns as lifecycle
from servesell.service.campaign_plan import LoadAssumptions, forecast
from servesell.service.campaign_world import (
    CampaignWorld,
    StoreLedger,
    WorldConfig,
    shadow_engine,
)
from servesell.service.engines import FixedEngine, build_engine
from servesell.service.screen import CallDesk
from servesell.store import (
    count_customers,
    insert_calls,
    save_policy,
    save_schema,
    upsert_agents,
    upsert_customers,
    upsert_offers,
    upsert_teams,
)
from servesell.store.campaigns import get_campaign
from servesell.synth import bank_catalog_path, bank_schema_path, generate_customers, generate_staff

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy import Engine as Database

    from servesell.report.costs import CostModel

ACTOR = "campaign-demo"
DEMO_POLICY = ContactPolicy(top_k=2, explore_share=0.0)
"""Two offers per call, no exploration: what would be shown is then exactly known."""


@dataclass(frozen=True, slots=True)
class CampaignDemoConfig:
    """The synthetic campaign to play."""

    customers: int = 3000
    seed: int = 1
    campaign_id: str = "spring-instalments"
    offers: tuple[str, ...] = ("bill_instalment", "limit_increase")
    audience: str = "age >= 23"
    control_share: float = 0.2
    agents: int = 20
    timezone: str = "Asia/Shanghai"
    world: WorldConfig = field(default_factory=WorldConfig)
    end: bool = True
    """End the campaign after its days (else it stays running, for the live dashboard)."""

    def campaign(self) -> Campaign:
        """The campaign this demo runs."""
        start = self.world.start
        return Campaign(
            id=self.campaign_id,
            name="Spring instalments 春季分期",
            offers=self.offers,
            audience=self.audience,
            control_share=self.control_share,
            starts_on=start,
            ends_on=start + dt.timedelta(days=self.world.days - 1),
            budget=50_000,
            targets={"conversion_rate": 0.15, "service_level": 0.8, "service_seconds": 20},
        )


@dataclass(frozen=True, slots=True)
class CampaignRun:
    """What was played and the truth the report must recover."""

    campaign_id: str
    calls: int
    units: int
    true_conversion_lift: float
    true_revenue_lift: float


def play_campaign(db: Database, config: CampaignDemoConfig, costs: CostModel) -> CampaignRun:
    """Store the world, run the campaign through the call desk, end it; see module doc."""
    tz = ZoneInfo(config.timezone)
    campaign = config.campaign()
    with db.begin() as conn:
        if count_customers(conn) > 0:
            raise StoreError(
                "the campaign demo needs an empty database (servesell db upgrade --db ...)"
            )
        world = _store_world(conn, config, campaign, tz)
        world.pre_period(StoreLedger(conn, CallDesk(db, FixedEngine(build_engine(conn)))))
    _launch(db, config=config, campaign=campaign, costs=costs, tz=tz, at=world.start)
    calls = world.calls()
    with db.begin() as conn:
        engine = build_engine(conn, gate=AlwaysGate(), tz=tz, seed=config.seed)
        ledger = StoreLedger(conn, CallDesk(db, FixedEngine(engine)))
        shadow = shadow_engine(engine, campaign, list(world.offers.values()))
        insert_calls(conn, world.play(calls, ledger, shadow))
    if config.end:
        lifecycle.change_state(db, campaign.id, CampaignState.ENDED, actor=ACTOR, at=world.end)
    truths = list(world.truths.values())
    n = len(truths)
    return CampaignRun(
        campaign_id=campaign.id,
        calls=len(calls),
        units=n,
        true_conversion_lift=sum(t[0] for t in truths) / n if n else 0.0,
        true_revenue_lift=sum(t[1] for t in truths) / n if n else 0.0,
    )


def _store_world(
    conn: Connection, config: CampaignDemoConfig, campaign: Campaign, tz: ZoneInfo
) -> CampaignWorld:
    schema = read_schema_file(bank_schema_path())
    save_schema(conn, schema)
    catalog = read_catalog(bank_catalog_path(), schema)
    upsert_offers(conn, catalog.offers)
    save_policy(conn, DEMO_POLICY)
    customers = generate_customers(config.customers, seed=config.seed, as_of=config.world.start)
    upsert_customers(conn, customers)
    teams, agents = generate_staff(config.agents, seed=config.seed)
    upsert_teams(conn, teams)
    upsert_agents(conn, agents)
    return CampaignWorld(
        campaign=campaign,
        config=config.world,
        customers={c.id: c for c in customers},
        agents=agents,
        offers={o.id: o for o in catalog.offers},
        tz=tz,
        rng=random.Random(config.seed),
    )


def _launch(
    db: Database,
    *,
    config: CampaignDemoConfig,
    campaign: Campaign,
    costs: CostModel,
    tz: ZoneInfo,
    at: dt.datetime,
) -> None:
    lifecycle.save(db, campaign.model_dump(mode="json"), actor=ACTOR)
    per_day = config.customers * config.world.call_share / config.world.days
    load = LoadAssumptions(
        calls_per_hour=per_day / 10, calls_per_day=per_day, aht_seconds=187.0, agents=config.agents
    )
    with db.connect() as conn:
        planned = forecast(conn, get_campaign(conn, campaign.id), costs, tz=tz, load=load, now=at)
    override = "synthetic demo" if planned.plan.breaks_target else None
    lifecycle.change_state(
        db,
        campaign.id,
        CampaignState.APPROVED,
        actor=ACTOR,
        plan=planned.plan,
        override=override,
        at=at,
    )
    lifecycle.change_state(db, campaign.id, CampaignState.RUNNING, actor=ACTOR, at=at)
