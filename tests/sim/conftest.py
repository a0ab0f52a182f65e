"""Fixtures of the twin's tests: one small world per module (the bank catalog, 3,000 callers)."""

from __future__ import annotations

import pytest

from servesell.service.simulation import build_world, load_spec
from servesell.sim import World


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_spec("bank"), seed=1, customers=3_000)
