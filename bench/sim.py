"""Simulated calls per second: a month of the bank scenario through the real decision engine.

Prints one JSON line. ``calls`` / ``seconds`` / ``calls_per_s`` time the run alone (the
event loop, the live default gate or ``--policy``, the production engine and contact
policy deciding every answered call, the callers' latent answers); ``setup_seconds`` is
reading the catalog and generating the customers; ``calls_per_cpu_s`` divides by the
process's CPU time, the figure to read on a shared machine. Full size: 30 days of 20,000
calls (~600,000 calls) and the scenario's 60,000 customers. Goal: >= 10,000 calls per
second. Smoke: ``--days 1 --scale 0.1``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from servesell.queueing import GateSettings
from servesell.service.simulation import build_world, load_spec
from servesell.sim import gate_for, play


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--policy", default=GateSettings().kind, help="gate spec (live default)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    spec = load_spec("bank")
    start = time.perf_counter()
    world = build_world(spec, seed=args.seed, customers=max(1, round(spec.customers * args.scale)))
    scenario = spec.scenario("design", days=args.days, scale=args.scale)
    setup = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    result = play(scenario, world, gate_for(scenario, args.policy), seed=args.seed)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        json.dumps(
            {
                "calls": result.calls,
                "seconds": round(seconds, 3),
                "calls_per_s": round(result.calls / seconds),
                "goal_calls_per_s": 10_000,
                "cpu_seconds": round(cpu, 3),
                "calls_per_cpu_s": round(result.calls / cpu),
                "setup_seconds": round(setup, 3),
                "days": args.days,
                "customers": len(world.customers),
                "agents_peak": max(scenario.agents),
                "policy": result.policy,
                "service_level": round(result.service_level, 4),
                "revenue": result.revenue,
                "digital_revenue": result.digital_revenue,
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
