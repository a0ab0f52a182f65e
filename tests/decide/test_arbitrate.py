from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servesell.decide.arbitrate import Contender, arbitrate
from servesell.decide.reasons import Selection


def contenders(*spec: tuple[str, float, float]) -> list[Contender]:
    return [Contender(i, p, s) for i, p, s in spec]


def test_highest_priority_is_shown_first() -> None:
    verdicts, explored = arbitrate(
        contenders(("a", 5, 60), ("b", 9, 60), ("c", 7, 60)),
        budget=600,
        k=1,
        explore_share=0,
        rng=random.Random(1),
    )
    assert not explored
    assert [o for o, v in verdicts.items() if v.shown] == ["b"]
    assert {o: v.rank for o, v in verdicts.items()} == {"b": 1, "c": 2, "a": 3}
    assert verdicts["c"].reason == Selection.OUTRANKED


def test_offers_that_do_not_fit_the_budget_are_skipped() -> None:
    verdicts, _ = arbitrate(
        contenders(("long", 9, 200), ("short", 5, 40)),
        budget=100,
        k=1,
        explore_share=0,
        rng=random.Random(1),
    )
    assert verdicts["short"].shown
    assert verdicts["long"].reason == Selection.OVER_BUDGET


def test_top_k_fills_slots_within_the_budget() -> None:
    verdicts, _ = arbitrate(
        contenders(("a", 9, 60), ("b", 8, 60), ("c", 7, 30)),
        budget=100,
        k=2,
        explore_share=0,
        rng=random.Random(1),
    )
    assert {o for o, v in verdicts.items() if v.shown} == {"a", "c"}


def test_closed_gate_shows_nothing() -> None:
    verdicts, explored = arbitrate(
        contenders(("a", 9, 60)), budget=0, k=1, explore_share=1, rng=random.Random(1)
    )
    assert not verdicts["a"].shown
    assert verdicts["a"].reason == Selection.GATE_CLOSED
    assert verdicts["a"].probability == 0
    assert not explored


@given(
    priorities=st.lists(st.floats(0.01, 100), min_size=1, max_size=8),
    seconds=st.lists(st.floats(10, 300), min_size=8, max_size=8),
    budget=st.floats(0, 600),
    share=st.floats(0, 1),
)
def test_probabilities_sum_to_one_over_candidates_for_one_slot(
    priorities, seconds, budget, share
) -> None:
    cs = [Contender(f"o{i}", p, seconds[i]) for i, p in enumerate(priorities)]
    verdicts, _ = arbitrate(cs, budget=budget, k=1, explore_share=share, rng=random.Random(0))
    total = sum(v.probability for v in verdicts.values())
    fits = any(c.seconds <= budget for c in cs) and budget > 0
    assert total == pytest.approx(1.0 if fits else 0.0)


def test_logged_probabilities_match_observed_frequencies() -> None:
    cs = contenders(("a", 9, 60), ("b", 8, 60), ("c", 7, 90), ("d", 1, 200))
    rng = random.Random(42)
    n = 20_000
    shown: Counter[str] = Counter()
    logged = {}
    for _ in range(n):
        verdicts, _ = arbitrate(cs, budget=150, k=2, explore_share=0.3, rng=rng)
        shown.update(o for o, v in verdicts.items() if v.shown)
        logged = {o: v.probability for o, v in verdicts.items()}
    for offer_id, p in logged.items():
        assert shown[offer_id] / n == pytest.approx(p, abs=0.015)


def test_thompson_probabilities_are_estimated_from_posterior_draws() -> None:
    cs = contenders(("a", 9, 60), ("b", 8, 60))
    rng = random.Random(3)

    def sampler() -> list[float]:
        return [rng.gauss(9, 1), rng.gauss(8, 1)]

    verdicts, _ = arbitrate(
        cs, budget=100, k=1, explore_share=1.0, rng=rng, sampler=sampler, draws=4000
    )
    assert sum(v.probability for v in verdicts.values()) == pytest.approx(1.0)
    assert verdicts["a"].probability == pytest.approx(0.76, abs=0.03)
