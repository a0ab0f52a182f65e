from __future__ import annotations

import datetime as dt
import json
import math
import pickle

from tests.support.learning import AT, SCHEMA

from servesell.domain import CallContext, Customer
from servesell.learn.features import FeatureSpace


def _names(space: FeatureSpace, customer: Customer, reason: str = "billing") -> list[str]:
    ids, _ = space.encode(customer, CallContext(at=AT, reason=reason))
    return [space.name_of(i) for i in ids]


def test_every_field_becomes_one_named_feature() -> None:
    space = FeatureSpace(SCHEMA, edges={"age": [30, 50]})
    customer = Customer(
        "C1",
        {
            "age": 35,
            "income": None,
            "segment": "mass",
            "app_user": True,
            "opened_on": dt.date(2025, 3, 2),
        },
    )
    names = _names(space, customer)
    assert names[:6] == [
        "bias",
        "age[30,50)",
        "income?",
        "segment=mass",
        "app_user=true",
        "opened_on[365,730)",
    ]
    assert names[6:] == ["holds:<none>", "reason=billing"]


def test_every_row_has_the_same_squared_norm(customers: list[Customer]) -> None:
    space = FeatureSpace.fit(SCHEMA, customers, at=AT.date())
    for customer in customers[:200]:
        _, values = space.encode(customer, CallContext(at=AT))
        assert math.fsum(v * v for v in values) == space.norm2


def test_fitted_bins_are_quantiles_of_the_sample(customers: list[Customer]) -> None:
    space = FeatureSpace.fit(SCHEMA, customers, at=AT.date(), bins=4)
    assert len(space.edges["age"]) == 3
    counts: dict[str, int] = {}
    for customer in customers:
        name = _names(space, customer)[1]
        counts[name] = counts.get(name, 0) + 1
    assert len(counts) == 4
    assert min(counts.values()) > len(customers) / 8


def test_categories_beyond_the_limit_share_one_feature() -> None:
    space = FeatureSpace(SCHEMA, max_categories=2)
    seen = {_names(space, Customer("C", {"segment": s}))[3] for s in ("a", "b", "c", "d")}
    assert seen == {"segment=a", "segment=b", "segment=<other>"}


def test_state_round_trip_keeps_feature_ids(customers: list[Customer]) -> None:
    space = FeatureSpace.fit(SCHEMA, customers[:500], at=AT.date())
    rows = [space.encode(c, CallContext(at=AT, reason="r")) for c in customers[:50]]
    for copy in (
        FeatureSpace.from_state(json.loads(json.dumps(space.state()))),
        pickle.loads(pickle.dumps(space)),
    ):
        assert [copy.encode(c, CallContext(at=AT, reason="r")) for c in customers[:50]] == rows
        assert copy.size == space.size


def test_held_products_share_a_unit_of_weight() -> None:
    space = FeatureSpace(SCHEMA)
    ids, values = space.encode(
        Customer("C", holdings=frozenset({"loan", "card", "deposit", "fund"})), CallContext(at=AT)
    )
    held = [(space.name_of(i), v) for i, v in zip(ids, values, strict=True) if v != 1.0]
    assert [n for n, _ in held] == ["holds:card", "holds:deposit", "holds:fund", "holds:loan"]
    assert all(v == 0.5 for _, v in held)
