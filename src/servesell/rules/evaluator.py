"""What compiled rules are made of: evaluators over a customer, and NULL-aware helpers.

An evaluator is ``f(customer, today)`` returning a value, or ``None`` for SQL NULL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Protocol


class Subject(Protocol):
    """What a rule reads: profile values by field name, and the products held."""

    @property
    def attributes(self) -> Mapping[str, Any]:
        """Declared profile values (a missing key is NULL)."""

    @property
    def holdings(self) -> frozenset[str]:
        """Product codes the customer holds."""


Evaluator = Callable[[Subject, dt.date], Any]
"""A compiled node: ``(customer, today) -> value or None``."""


def binary(left: Evaluator, right: Evaluator, fn: Callable[[Any, Any], Any]) -> Evaluator:
    """``fn(x, y)`` of two operands, NULL when either is NULL."""

    def binary(c: Subject, t: dt.date) -> Any:
        x = left(c, t)
        if x is None:
            return None
        y = right(c, t)
        return None if y is None else fn(x, y)

    return binary


def unary(arg: Evaluator, fn: Callable[[Any], Any]) -> Evaluator:
    """``fn(x)`` of one operand, NULL when it is NULL."""

    def unary(c: Subject, t: dt.date) -> Any:
        x = arg(c, t)
        return None if x is None else fn(x)

    return unary
