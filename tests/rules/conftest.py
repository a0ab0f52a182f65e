"""Fixtures for the rule-language tests."""

from __future__ import annotations

import pytest

from servesell.domain import ProfileSchema
from support.rules import rules_schema


@pytest.fixture(scope="session")
def schema() -> ProfileSchema:
    """A profile schema with every field type."""
    return rules_schema()
