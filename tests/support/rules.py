"""Helpers for the rule-language tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from servesell.domain import Customer, ProfileSchema

TODAY = dt.date(2026, 3, 31)
"""The as-of date of the rule tests (never the wall clock)."""


def rules_schema() -> ProfileSchema:
    """Every declared type once, plus a second field of some for comparisons."""
    return ProfileSchema.from_mapping(
        {
            "age": "int",
            "overdue_count_12m": "int",
            "credit_limit": "float",
            "balance": "float",
            "segment": "str",
            "repayment_mode": "str",
            "opened_on": "date",
            "last_login_on": "date",
            "is_student": "bool",
        }
    )


def customer(holdings: frozenset[str] = frozenset(), **attributes: Any) -> Customer:
    """A customer with the given profile values (undeclared ones are simply missing)."""
    return Customer("c1", attributes, holdings)
