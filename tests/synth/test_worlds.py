"""Every synthetic world: customers that fit its declared schema, a catalog that validates."""

from __future__ import annotations

import datetime as dt

import pytest

from servesell.ingest import read_catalog, read_schema_file
from servesell.synth import generate_customers
from servesell.synth.worlds import WORLDS, SyntheticWorld

DAY = dt.date(2026, 3, 2)


@pytest.fixture(params=sorted(WORLDS))
def world(request: pytest.FixtureRequest) -> SyntheticWorld:
    return WORLDS[request.param]


def test_customers_fit_the_declared_schema_and_repeat_with_the_seed(world: SyntheticWorld) -> None:
    schema = read_schema_file(world.schema_path)
    people = generate_customers(300, seed=1, as_of=DAY, portfolio=world.portfolio)
    assert people == generate_customers(300, seed=1, as_of=DAY, portfolio=world.portfolio)
    assert people != generate_customers(300, seed=2, as_of=DAY, portfolio=world.portfolio)
    for customer in people:
        assert set(customer.attributes) == set(schema.names)
        for name, value in customer.attributes.items():
            assert schema.parse(name, value) == value


def test_the_catalog_validates_and_every_offer_has_a_truth(world: SyntheticWorld) -> None:
    report = read_catalog(world.catalog_path, read_schema_file(world.schema_path))
    assert report.errors == ()
    assert {o.id for o in report.offers} == set(world.tastes.base_rate)
