"""The C kernel of the probit update is its Python reference, bit for bit.

``servesell.learn._probit.adf_step`` (built by ``hatch_build.py``) must leave exactly the
floats that ``bayes_probit._adf_step`` leaves: same means and variances, same errors, on
rows with unit and scaled values, repeated ids, new ids and extreme scores. In CI the kernel
must have been built (a missing compiler would otherwise pass unnoticed, only slower).
"""

from __future__ import annotations

import os
import random

import pytest
from tests.support.learning import AT, SCHEMA, make_customers, make_offer

from servesell.domain import CallContext
from servesell.learn import bayes_probit
from servesell.learn.adaptive import AdaptivePropensity
from servesell.learn.bayes_probit import BayesProbit

try:
    from servesell.learn import _probit
except ImportError:  # pragma: no cover - only without a compiler at install
    _probit = None  # type: ignore[assignment]

needs_kernel = pytest.mark.skipif(
    _probit is None and os.environ.get("CI") != "true",
    reason="servesell.learn._probit was not built (no C compiler at install)",
)


def test_ci_builds_the_kernel_and_the_learner_uses_it() -> None:
    if os.environ.get("CI") != "true" and _probit is None:
        pytest.skip("not in CI and the kernel was not built")
    assert _probit is not None, "hatch_build.py did not build servesell.learn._probit"
    assert bayes_probit.adf_step is _probit.adf_step


def _random_row(rng: random.Random, size: int) -> tuple[list[int], list[float], int]:
    ones = rng.randint(0, 6)
    n = ones + rng.randint(0, 6)
    ids = [rng.randrange(size) for _ in range(n)]  # repeats on purpose
    values = [1.0] * ones + [rng.choice([1.0, 0.5, 2.0, -1.5, 1e-3, 0.0]) for _ in ids[ones:]]
    return ids, values, ones


@needs_kernel
def test_the_kernel_leaves_the_references_floats_on_random_rows() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        size = rng.randint(1, 12)
        mean = [rng.gauss(0.0, rng.choice([0.1, 3.0, 40.0])) for _ in range(size)]
        var = [rng.choice([1e-6, 0.01, 0.05, 0.5, 2.0]) for _ in range(size)]
        ids, values, ones = _random_row(rng, size)
        offset = (rng.gauss(0.0, 5.0), rng.choice([0.0, 0.3]))
        accepted = rng.random() < 0.5
        mine, theirs = (list(mean), list(var)), (list(mean), list(var))
        _probit.adf_step(*mine, ids, values, ones, *offset, 1.0, accepted)
        bayes_probit._adf_step(*theirs, ids, values, ones, *offset, 1.0, accepted)
        assert mine == theirs


@needs_kernel
def test_a_new_feature_id_raises_before_anything_is_written() -> None:
    mean, var = [0.1, 0.2], [0.05, 0.05]
    with pytest.raises(IndexError):
        _probit.adf_step(mean, var, [0, 1, 5], [1.0, 1.0, 1.0], 1, 0.0, 0.0, 1.0, True)
    assert (mean, var) == ([0.1, 0.2], [0.05, 0.05])


@needs_kernel
def test_the_kernel_refuses_what_the_reference_cannot_read() -> None:
    with pytest.raises(TypeError, match="lists"):
        _probit.adf_step((0.0,), [0.05], [0], [1.0], 1, 0.0, 0.0, 1.0, True)
    with pytest.raises(TypeError):
        _probit.adf_step([0.0], [0.05], ["0"], [1.0], 0, 0.0, 0.0, 1.0, True)


@needs_kernel
def test_a_learned_model_is_the_same_with_the_kernel_and_the_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    customers = make_customers(400, seed=9)
    offers = [make_offer("o1", 0.05), make_offer("o2", 0.4)]
    rng = random.Random(2)
    stream = [(rng.choice(offers), rng.choice(customers), rng.random() < 0.2) for _ in range(4000)]
    posteriors = []
    for step in (_probit.adf_step, bayes_probit._adf_step):
        monkeypatch.setattr(bayes_probit, "adf_step", step)
        model = AdaptivePropensity.for_customers(
            SCHEMA, customers, at=AT.date(), learner=BayesProbit(relevance_every=20)
        )
        for offer, customer, accepted in stream:
            model.update(offer, customer, CallContext(at=AT, reason="billing"), accepted)
        posteriors.append(
            {k: (v.mean, v.var, v.n) for k, v in model.learners.items() if hasattr(v, "var")}
        )
    assert posteriors[0] == posteriors[1]
