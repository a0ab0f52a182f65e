"""A rule compiled once, run many times: on a live call in Python, in batch as SQL.

>>> from servesell.domain import Customer, ProfileSchema
>>> schema = ProfileSchema.from_mapping({"credit_limit": "float", "repayment_mode": "str"})
>>> rule = compile_rule(
...     "credit_limit >= 5000 AND repayment_mode = 'full' AND NOT holds('instalment')", schema
... )
>>> rule(Customer("c1", {"credit_limit": 8000.0, "repayment_mode": "full"}), TODAY)
True
>>> rule(Customer("c2", {"credit_limit": None, "repayment_mode": "full"}), TODAY) is None
True
>>> sorted(rule.fields), sorted(rule.products)
(['credit_limit', 'repayment_mode'], ['instalment'])
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from servesell.errors import RuleError
from servesell.rules.check import check
from servesell.rules.closures import compile_node
from servesell.rules.sql import to_sql
from servesell.rules.syntax import parse

if TYPE_CHECKING:
    from servesell.domain.schema import ProfileSchema
    from servesell.rules.sql import Dialect
    from servesell.rules.tree import Node

TODAY = dt.date(2026, 1, 15)
"""A fixed as-of date for examples."""


def compile_rule(text: str, schema: ProfileSchema, *, offer_id: str | None = None) -> CompiledRule:
    """Parse, validate and compile ``text`` against ``schema``.

    Raises :class:`RuleError` with the character position (and ``offer_id`` when given)
    for syntax errors, unknown fields, type mismatches and unsupported constructs.
    """
    try:
        checked = check(parse(text), text, schema)
    except RuleError as exc:
        raise (exc.located(offer_id=offer_id) if offer_id else exc) from None
    return CompiledRule(text, checked.tree, checked.fields, checked.products, offer_id)


class CompiledRule(functools.partial[bool | None]):
    """An eligibility rule ready to run; call it with a customer and the as-of date.

    The result is SQL's three-valued answer: ``True``, ``False``, or ``None`` when the rule
    is unknown for this customer (a missing value decided it); only ``True`` is eligible.
    It is a :class:`functools.partial` so that a call is one C-level dispatch into the
    compiled closures: the online path budgets about a microsecond per rule.
    """

    text: str
    tree: Node
    fields: frozenset[str]
    products: frozenset[str]
    offer_id: str | None

    def __new__(
        cls,
        text: str,
        tree: Node,
        fields: frozenset[str],
        products: frozenset[str],
        offer_id: str | None = None,
    ) -> Self:
        """Compile ``tree`` (checked from ``text``) into a callable rule."""
        self = super().__new__(cls, compile_node(tree))
        self.text, self.tree, self.offer_id = text, tree, offer_id
        self.fields, self.products = fields, products
        return self

    def evaluate(
        self, attributes: Mapping[str, Any], holdings: frozenset[str], today: dt.date
    ) -> bool | None:
        """Like calling the rule, from the profile values and holdings alone."""
        result: bool | None = self.func(_Profile(attributes, holdings), today)
        return result

    def sql(self, dialect: Dialect = "duckdb", *, today: dt.date) -> str:
        """The rule as SQL text for ``dialect`` with ``CURRENT_DATE`` fixed to ``today``.

        The SQL's NULL semantics match calling the rule; see :mod:`servesell.rules.sql`
        for the table layout it expects.
        """
        return to_sql(self.tree, dialect, today=today)

    def __repr__(self) -> str:
        offer = f", offer_id={self.offer_id!r}" if self.offer_id else ""
        return f"CompiledRule({self.text!r}{offer})"


@dataclass(frozen=True, slots=True)
class _Profile:
    attributes: Mapping[str, Any]
    holdings: frozenset[str]
