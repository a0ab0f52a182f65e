"""Golden output of a small twin run, so any change in a policy's figures is seen in review."""

from __future__ import annotations

import json
from pathlib import Path

from servesell.service.simulation import build_world, load_spec
from servesell.sim import gate_for, play

GOLDEN = Path(__file__).parent / "golden" / "brand400_peak.json"
POLICIES = ("never", "threshold:2", "gated")


def summaries() -> list[dict[str, object]]:
    spec = load_spec("brand400")
    scenario = spec.scenario("peak", scale=0.3)
    world = build_world(spec, seed=1, customers=2_400)
    return [
        {k: round(v, 4) if isinstance(v, float) else v for k, v in result.summary().items()}
        for result in (play(scenario, world, gate_for(scenario, p), seed=11) for p in POLICIES)
    ]


def test_the_brand_hotline_peak_day_matches_the_golden_output() -> None:
    assert summaries() == json.loads(GOLDEN.read_text(encoding="utf-8"))


if __name__ == "__main__":  # regenerate: python tests/sim/test_golden.py
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(summaries(), indent=1) + "\n", encoding="utf-8")
