"""Fixtures of the learner tests (the simulated world is in ``tests/support/learning.py``)."""

from __future__ import annotations

import pytest
from tests.support.learning import AT, make_customers

from servesell.domain import CallContext, Customer


@pytest.fixture
def context() -> CallContext:
    return CallContext(at=AT, reason="billing_inquiry")


@pytest.fixture(scope="session")
def customers() -> list[Customer]:
    return make_customers(3000)
