from __future__ import annotations

import pytest

from servesell.queueing import Load, Target, erlang_a, erlang_c, make_gate
from servesell.queueing.estimator import HandleTimeEstimator, RateEstimator


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: Load(-1, 180), "-1"),
        (lambda: Load(100, 0), "aht_seconds"),
        (lambda: Target(1.2, 20), "1.2"),
        (lambda: erlang_c(Load(200, 180), 0, 20), "agents"),
        (lambda: erlang_c(Load(200, 180), 9, 20), "unstable"),
        (lambda: erlang_a(Load(200, 180), 10, 20, 0), "patience"),
        (lambda: erlang_a(Load(200, 180), 10, -1, 300), "target_seconds"),
        (lambda: make_gate("sometimes"), "sometimes"),
        (lambda: make_gate("threshold:x"), "threshold:x"),
        (lambda: make_gate("never:3"), "never:3"),
        (lambda: make_gate("gated", margin=-0.9), "margin"),
        (lambda: make_gate("steered", step=0), "step"),
        (lambda: make_gate("steered", least_waiting=6, most_waiting=5), "least_waiting"),
        (lambda: make_gate("steered", buffer=0.5), "buffer"),
        (lambda: make_gate("steered", guard_noise=-1.0), "guard_noise"),
        (lambda: make_gate("steered", guard_noise=2.0), "guard_noise"),
        (lambda: make_gate("steered", guard_release=1.5), "guard_release"),
        (lambda: make_gate("always", budget_seconds=-1), "budget_seconds"),
        (lambda: RateEstimator(tau_seconds=0), "tau_seconds"),
        (lambda: HandleTimeEstimator(window=0), "window"),
    ],
)
def test_bad_arguments_raise_value_error_naming_the_value(build, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        build()
