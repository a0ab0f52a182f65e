from __future__ import annotations

import pytest
from pyworkforce.queuing import ErlangC

from servesell.queueing import Load, Target, agents_required, erlang_a, erlang_b, erlang_c

REFERENCE = Load(calls_per_hour=200, aht_seconds=180)  # 100 calls per 30 min, AHT 3 min


def test_erlang_c_matches_the_published_worked_example() -> None:
    m = erlang_c(REFERENCE, agents=14, target_seconds=20)
    assert round(m.p_wait, 7) == 0.1741319
    assert round(m.service_level, 5) == 0.88835
    assert round(m.asa_seconds, 3) == 7.836
    assert round(m.occupancy, 7) == 0.7142857
    assert round(erlang_c(REFERENCE, agents=11, target_seconds=20).p_wait, 7) == 0.6821182


def test_erlang_a_matches_the_published_worked_example() -> None:
    m = erlang_a(REFERENCE, agents=14, target_seconds=20, patience_seconds=300)
    assert round(m.p_wait, 5) == 0.14526
    assert m.abandon_share is not None
    assert round(m.abandon_share, 6) == 0.013984
    assert round(m.occupancy, 6) == 0.704297
    assert round(m.asa_seconds / 60, 6) == 0.069919
    assert round(m.service_level, 6) == 0.916792


@pytest.mark.parametrize("agents", [11, 12, 14, 17, 25])
@pytest.mark.parametrize("target_seconds", [10.0, 20.0, 60.0])
def test_erlang_c_agrees_with_pyworkforce(agents: int, target_seconds: float) -> None:
    peer = ErlangC(transactions=100, aht=3, asa=target_seconds / 60, interval=30)
    ours = erlang_c(REFERENCE, agents, target_seconds)
    assert ours.p_wait == pytest.approx(peer.waiting_probability(agents), rel=1e-12)
    assert ours.service_level == pytest.approx(peer.service_level(agents), rel=1e-12)
    assert ours.occupancy == pytest.approx(peer.achieved_occupancy(agents), rel=1e-12)


def test_erlang_a_tends_to_erlang_c_when_callers_never_hang_up() -> None:
    a = erlang_a(REFERENCE, 14, 20, patience_seconds=1e9)
    c = erlang_c(REFERENCE, 14, 20)
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-6)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-6)


def test_erlang_a_agrees_with_a_brute_force_birth_death_chain() -> None:
    lam, mu, theta, n = 200 / 3600, 1 / 180, 1 / 300, 12
    weights = [1.0]
    for k in range(1, 400):
        weights.append(weights[-1] * lam / (min(k, n) * mu + max(k - n, 0) * theta))
    total = sum(weights)
    p_wait = sum(weights[n:]) / total
    mean_queue = sum((k - n) * w for k, w in enumerate(weights) if k > n) / total
    m = erlang_a(REFERENCE, n, 20, 300)
    assert m.p_wait == pytest.approx(p_wait, rel=1e-10)
    assert m.abandon_share == pytest.approx(theta * mean_queue / lam, rel=1e-10)


def test_two_thousand_agents_compute_without_overflow() -> None:
    load = Load(calls_per_hour=38_000, aht_seconds=180)  # 1,900 Erlang
    c = erlang_c(load, 2_000, 20)
    a = erlang_a(load, 2_000, 20, 300)
    assert 0 < c.p_wait < 1
    assert 0 < c.service_level <= 1
    assert 0 < a.p_wait < 1
    assert a.abandon_share is not None
    overloaded = erlang_a(Load(100_000, 180), 2_000, 20, 300)
    assert overloaded.abandon_share == pytest.approx(0.6, rel=1e-9)


def test_erlang_b_recursion_known_value() -> None:
    assert erlang_b(0, 5.0) == 1.0
    assert erlang_b(10, 10.0) == pytest.approx(0.2145823, rel=1e-6)


def test_agents_required_is_the_fewest_meeting_the_target() -> None:
    n = agents_required(REFERENCE, Target(0.8, 20))
    assert erlang_c(REFERENCE, n, 20).service_level >= 0.8
    assert erlang_c(REFERENCE, n - 1, 20).service_level < 0.8
    with_patience = agents_required(REFERENCE, Target(0.8, 20), patience_seconds=300)
    assert with_patience <= n
    big = agents_required(Load(38_000, 180), Target(0.8, 20))
    assert 1_900 < big < 2_000


def test_service_level_rises_with_agents() -> None:
    levels = [erlang_a(REFERENCE, n, 20, 300).service_level for n in range(8, 25)]
    assert levels == sorted(levels)
