"""Scheduling throughput: one purchase per customer over 30 days, the brand's day-3/15/25 journey.

Prints one JSON line ``{"customers", "due_steps", "seconds", ...}``: ``seconds`` is one
``servesell journeys run`` (read events and profiles, plan, apply the shared caps, store
every step once) on SQLite; ``due_steps`` the steps it left open to call; ``planned`` every
row it wrote (stale and skipped ones included); ``rerun_s`` a second run, which must
create nothing; ``cpu_s`` the process time of the first run (what a shared machine's load
does not inflate). Goal (issue 17): <= 30 s for 1,000,000 customers.

Usage: ``python bench/journeys.py --customers N``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import tempfile
import time
from pathlib import Path

from servesell.domain.schema import ProfileSchema
from servesell.ingest.journeys import read_journeys
from servesell.service.journeys import run_journeys
from servesell.store import open_db, save_schema
from servesell.store.bulk import append_rows
from servesell.store.journeys import save_journeys
from servesell.store.tables import customers, journey_events
from servesell.synth import brand_journeys_path

AS_OF = dt.datetime(2026, 3, 31, 1, 0, tzinfo=dt.UTC)
ZONES = ["Asia/Shanghai"] * 17 + ["America/New_York", "Europe/Berlin", None]


def fill(url: str, n: int, seed: int) -> None:
    """``n`` customers and one purchase each in the 30 days before :data:`AS_OF`."""
    rng = random.Random(seed)
    engine = open_db(url)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        save_schema(conn, ProfileSchema.from_mapping({"name": "str", "timezone": "str"}))
        save_journeys(conn, read_journeys(brand_journeys_path()).journeys)
        people, events = [], []
        for i in range(n):
            zone = rng.choice(ZONES)
            attributes = {"name": f"c{i}"} | ({"timezone": zone} if zone else {})
            people.append(
                (
                    f"c{i}",
                    attributes,
                    [],
                    False,
                    False,
                    False,
                    False,
                    f"+86138{i:08d}",
                    None,
                    None,
                    now,
                )
            )
            at = AS_OF - dt.timedelta(seconds=rng.uniform(0, 30 * 86400))
            events.append((f"e{i}", f"c{i}", "purchase", at, "formula_a", 298.0, 30, "bench", now))
            if len(people) == 50_000:
                _flush(conn, people, events)
        _flush(conn, people, events)
    engine.dispose()


def _flush(
    conn: object, people: list[tuple[object, ...]], events: list[tuple[object, ...]]
) -> None:
    cols = (
        "id",
        "attributes",
        "holdings",
        "do_not_market",
        "blacklisted",
        "vip",
        "open_complaint",
        "phone",
        "email",
        "wechat_openid",
        "updated_at",
    )
    append_rows(conn, customers, cols, people)  # type: ignore[arg-type]
    append_rows(
        conn,
        journey_events,
        (
            "id",
            "customer_id",
            "kind",
            "at",
            "product",
            "amount",  # type: ignore[arg-type]
            "points",
            "source",
            "recorded_at",
        ),
        events,
    )
    people.clear()
    events.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        fill(url, args.customers, args.seed)
        engine = open_db(url)
        start, cpu = time.perf_counter(), time.process_time()
        report = run_journeys(engine, as_of=AS_OF)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        start = time.perf_counter()
        again = run_journeys(engine, as_of=AS_OF)
        rerun = time.perf_counter() - start
        engine.dispose()
    print(
        json.dumps(
            {
                "customers": args.customers,
                "due_steps": report.planned["open"],
                "seconds": round(seconds, 2),
                "cpu_s": round(cpu, 2),
                "planned": sum(report.planned.values()),
                "rerun_s": round(rerun, 2),
                "rerun_planned": sum(again.planned.values()),
                "goal_s": 30,
            }
        )
    )


if __name__ == "__main__":
    main()
