"""Acceptance on the synthetic bank: learned propensities rank customers almost like the truth.

Stated number of outcomes: 200,000 in-call accepts/declines (about 20,000 per offer)
from uniformly explored offers, random customers and call reasons. Measured on 10,000
held-out customers × every offer, with AUC expected over the latent truth's labels.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from tests.support.learning import AT, REASONS, bank_world

from servesell.domain import CallContext
from servesell.learn.adaptive import AdaptivePropensity
from servesell.learn.metrics import expected_auc
from servesell.synth import LatentPropensity, generate_customers

OUTCOMES = 200_000
TRUTH = LatentPropensity()


@pytest.mark.slow
def test_learned_auc_is_within_002_of_the_true_propensities_auc() -> None:
    schema, offers = bank_world()
    customers = generate_customers(30_000, seed=11, as_of=AT.date())
    train, held_out = customers[:20_000], customers[20_000:]
    model = AdaptivePropensity.for_customers(schema, train[:5000], at=AT.date(), seed=11)
    rng = random.Random(11)
    for _ in range(OUTCOMES):
        customer, offer = rng.choice(train), rng.choice(offers)
        context = CallContext(at=AT, reason=rng.choice(REASONS))
        model.update(
            offer, customer, context, rng.random() < TRUTH.propensity(offer, customer, context)
        )
    learned, truth, which = [], [], []
    for customer in held_out:
        context = CallContext(at=AT, reason=rng.choice(REASONS))
        for offer in offers:
            learned.append(model.propensity(offer, customer, context))
            truth.append(TRUTH.propensity(offer, customer, context))
            which.append(offer.id)
    s, p, ids = np.array(learned), np.array(truth), np.array(which)
    assert expected_auc(s, p) >= expected_auc(p, p) - 0.02
    gaps = [
        expected_auc(p[ids == o.id], p[ids == o.id]) - expected_auc(s[ids == o.id], p[ids == o.id])
        for o in offers
    ]
    assert np.mean(gaps) <= 0.02, dict(zip([o.id for o in offers], np.round(gaps, 3), strict=True))
    assert abs(s.mean() - p.mean()) < 0.01
