"""On the synthetic bank with a known truth per channel, learned channel choice earns more
net value per call than the fixed threshold, and the off-policy intervals cover the truth."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench" / "channels.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_channels", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_learned_channel_choice_beats_the_threshold_on_the_synthetic_bank() -> None:
    result = _bench().run(24_000, seed=3)
    learned, threshold = result["learned"], result["threshold"]
    assert learned["true_value"] > 1.03 * threshold["true_value"]
    for policy in (learned, threshold):
        low, high = policy["dr"][1], policy["dr"][2]
        assert low <= policy["true_value"] <= high
    assert result["difference"]["dr"][0] > 0
