"""Simulated calls per second: a month of a 200-agent center (~1M calls) with the gated policy."""

from __future__ import annotations

import json
import time

from servesell.sim import bank_scenario, simulate
from servesell.sim.frontier import gate_for

DAYS = 30
CALLS_PER_DAY = 43_000  # about 200 agents on duty at the peak


def main() -> None:
    scenario = bank_scenario(calls_per_day=CALLS_PER_DAY, days=DAYS)
    gate = gate_for(scenario, "gated")
    start = time.perf_counter()
    result = simulate(scenario, gate, seed=1)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "calls": result.calls,
                "seconds": round(seconds, 3),
                "calls_per_s": round(result.calls / seconds),
                "agents_peak": max(scenario.agents),
                "days": DAYS,
                "policy": result.policy,
                "service_level": round(result.service_level, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
