"""The contract every propensity model keeps, whatever it is built from.

The offer's declared prior, the adaptive online model, a batch model read back from its
file, and the synthetic truth all plug into the decision engine through
``domain.ports.PropensityModel``: probabilities in (0, 1), the same answer for the same
inputs, seeded samples in (0, 1), something sensible for an offer it never learned, and
an engine that logs exactly the propensity the model gave.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from tests.support.learning import AT

from servesell.decide import Catalog, ContactPolicy, Engine, PriorPropensity
from servesell.domain import CallContext, PropensityModel
from servesell.ingest import read_catalog, read_schema_file
from servesell.learn.adaptive import AdaptivePropensity
from servesell.learn.batch import fit_batch
from servesell.learn.modelfile import BatchPropensity, dump_model, load_model
from servesell.synth import (
    LatentPropensity,
    bank_catalog_path,
    bank_schema_path,
    generate_customers,
)

if TYPE_CHECKING:
    from servesell.domain import Customer, Offer

SCHEMA = read_schema_file(bank_schema_path())
OFFERS = read_catalog(bank_catalog_path(), SCHEMA).offers
CUSTOMERS = generate_customers(60, seed=4, as_of=AT.date())
CONTEXTS = [CallContext(at=AT, reason=r) for r in ("billing_inquiry", "complaint", "other")]


def _adaptive() -> AdaptivePropensity:
    model = AdaptivePropensity.for_customers(SCHEMA, CUSTOMERS, at=AT.date(), seed=3)
    truth = LatentPropensity()
    rng = random.Random(5)
    for customer in CUSTOMERS:
        for offer in OFFERS[:4]:
            accepted = rng.random() < truth.propensity(offer, customer, CONTEXTS[0])
            model.update(offer, customer, CONTEXTS[0], accepted)
    return model


def _from_file() -> BatchPropensity:
    """A batch model for the first offer, trained on the truth, through its file bytes."""
    rows = generate_customers(600, seed=6, as_of=AT.date())
    truth = LatentPropensity()
    frame = pd.DataFrame(
        [{k: None if v is None else str(v) for k, v in c.attributes.items()} for c in rows]
    )
    rng = np.random.default_rng(2)
    p = [truth.propensity(OFFERS[0], c, CONTEXTS[0]) for c in rows]
    y = (rng.random(len(p)) < np.array(p) * 3).astype(int)
    model = fit_batch(frame, y, seed=0, folds=2, candidates=("logistic C=1",))
    return BatchPropensity({OFFERS[0].id: load_model(dump_model(model), source="test")})


MODELS = {
    "prior": PriorPropensity,
    "adaptive": _adaptive,
    "model_file": _from_file,
    "synthetic_truth": LatentPropensity,
}


@pytest.fixture(scope="module", params=sorted(MODELS))
def model(request: pytest.FixtureRequest) -> PropensityModel:
    built: PropensityModel = MODELS[request.param]()
    return built


def _cases() -> list[tuple[Offer, Customer, CallContext]]:
    return [(o, c, x) for o in OFFERS for c in CUSTOMERS[:12] for x in CONTEXTS]


def test_is_a_propensity_model(model: PropensityModel) -> None:
    assert isinstance(model, PropensityModel)


def test_propensities_are_probabilities_and_repeatable(model: PropensityModel) -> None:
    for offer, customer, context in _cases():
        p = model.propensity(offer, customer, context)
        assert 0.0 < p < 1.0
        assert model.propensity(offer, customer, context) == p


def test_samples_are_probabilities_fixed_by_the_seed(model: PropensityModel) -> None:
    cases = _cases()[:40]
    first = [model.sample(o, c, x, random.Random(9)) for o, c, x in cases]
    again = [model.sample(o, c, x, random.Random(9)) for o, c, x in cases]
    assert first == again
    assert all(0.0 < p < 1.0 for p in first)


def test_an_offer_never_learned_gets_a_probability(model: PropensityModel) -> None:
    new = OFFERS[-1].model_copy(update={"id": "brand_new", "prior_propensity": 0.07})
    p = model.propensity(new, CUSTOMERS[0], CONTEXTS[0])
    assert 0.0 < p < 1.0


def test_the_engine_logs_the_propensity_the_model_gave(model: PropensityModel) -> None:
    policy = ContactPolicy(explore_share=0.0)
    engine = Engine(Catalog(OFFERS, SCHEMA), policy=policy, model=model, seed=1)
    for customer in CUSTOMERS[:10]:
        decision = engine.decide(customer, CONTEXTS[0])
        for c in decision.candidates:
            offer = next(o for o in OFFERS if o.id == c.offer_id)
            assert c.scores.propensity == model.propensity(offer, customer, CONTEXTS[0])
