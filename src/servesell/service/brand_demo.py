"""``servesell demo --scenario brand``: the membership brand's outbound days, end to end.

Each day: ``journeys run`` at 08:00 (plan due steps, close stale ones, schedule
callbacks), the day's call list sized to the outbound team, every call on it made at its
planned time with a synthetic answer, and the disposition recorded — the same service
and store functions the CLI and API use. Prints what a supervisor asks: list size,
calls, connects and outcomes per journey step.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from servesell.domain.center import Agent, Team
from servesell.domain.schema import ProfileSchema
from servesell.ingest.journeys import read_journeys
from servesell.service.call_lists import call_list
from servesell.service.journeys import run_journeys
from servesell.store import save_schema, upsert_agents, upsert_customers, upsert_teams
from servesell.store.db import write_transaction
from servesell.store.dispositions import record_disposition
from servesell.store.journey_events import save_events
from servesell.store.journeys import save_journeys
from servesell.synth.brand import answer, generate_brand
from servesell.synth.catalog import brand_journeys_path

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass(frozen=True, slots=True)
class BrandConfig:
    """Size, seed, first day and the outbound team of the brand demo."""

    customers: int = 3000
    days: int = 5
    agents: int = 4
    seed: int = 7
    start: dt.date = dt.date(2026, 3, 2)
    timezone: str = "Asia/Shanghai"


@dataclass(slots=True)
class BrandDay:
    """One day of outbound work."""

    day: dt.date
    listed: int = 0
    capacity: int = 0
    calls: int = 0
    connects: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class BrandResult:
    """Every day's figures and the outcomes per journey step."""

    days: list[BrandDay] = field(default_factory=list)
    outcomes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    seconds: float = 0.0


def run_brand_demo(db: Engine, config: BrandConfig) -> BrandResult:
    """Generate the brand, then play ``config.days`` outbound days."""
    started = time.perf_counter()
    tz = ZoneInfo(config.timezone)
    _set_up(db, config)
    rng = random.Random(config.seed + 1)
    result = BrandResult()
    for offset in range(config.days):
        day = config.start + dt.timedelta(days=offset)
        result.days.append(_play_day(db, day, tz, rng=rng, result=result))
    result.seconds = time.perf_counter() - started
    return result


def _set_up(db: Engine, config: BrandConfig) -> None:
    brand = generate_brand(config.customers, start=config.start, seed=config.seed)
    with db.begin() as conn:
        save_schema(conn, ProfileSchema.from_mapping({"name": "str", "timezone": "str"}))
        upsert_customers(conn, brand.customers)
        save_events(conn, brand.events, source="demo")
        save_journeys(conn, read_journeys(brand_journeys_path()).journeys)
        upsert_teams(conn, [Team("outbound", "Outbound follow-up")])
        upsert_agents(
            conn, [Agent(f"ob{i:02d}", f"Agent {i}", "outbound") for i in range(config.agents)]
        )


def _play_day(
    db: Engine, day: dt.date, tz: ZoneInfo, *, rng: random.Random, result: BrandResult
) -> BrandDay:
    morning = dt.datetime.combine(day, dt.time(8), tzinfo=tz)
    run_journeys(db, as_of=morning)
    with db.connect() as conn:
        calls = call_list(conn, day, tz=tz, team="outbound")
    figures = BrandDay(day, len(calls.lines), calls.capacity, skipped=calls.skipped)
    with write_transaction(db) as conn:
        for line in calls.lines:
            local_hour = line.entry.call_at.astimezone(ZoneInfo(line.zone)).hour
            disposition, outcome = answer(rng, local_hour, line.task.step)
            callback = line.entry.call_at + dt.timedelta(hours=3)
            record_disposition(
                conn,
                line.task.id,
                disposition,
                at=line.entry.call_at,
                agent_id=line.task.owner_agent,
                callback_at=callback,
                outcomes={line.task.step: outcome} if outcome else {},
                handle_seconds=480.0 if disposition.connected else 30.0,
            )
            figures.calls += 1
            figures.connects += int(disposition.connected)
            key = f"{line.task.journey_id}/{line.task.step}"
            result.outcomes[key][outcome or disposition.value] += 1
    return figures
