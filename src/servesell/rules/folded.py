"""The eligibility matrix query in two-valued logic, with the work rules share done once.

A matrix cell is ``rule IS TRUE``: a rule that is NULL for a customer is not eligible.
That question needs no NULLs on the way: ``IS TRUE`` is pushed through AND, OR and NOT
down to each condition (``(a AND b) IS TRUE`` is ``a IS TRUE AND b IS TRUE``, ``(a AND b)
IS FALSE`` is ``a IS FALSE OR b IS FALSE``, ``(NOT a) IS TRUE`` is ``a IS FALSE``; OR
mirrors AND). This is SQL's three-valued logic written in two values, so the answer is
the same, and engines combine NULL-free booleans faster.

Two kinds of work are computed once per row, in a subquery, for every rule that needs
them: a condition test used by several rules (``(overdue_count_12m = 0) IS TRUE``) and a
sub-expression shared by the remaining tests (``balance / credit_limit``). (Also sharing
a set of tests that several rules AND together was measured: no faster on DuckDB.)
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from servesell.rules.sql import Dialect, to_expression
from servesell.rules.tree import Const, Field, Logic, Node, Not, Today, walk

_TRIVIAL = (Field, Const, Today)


@dataclass(frozen=True, slots=True)
class Test:
    """``node IS TRUE`` (``truth``) or ``node IS FALSE``: TRUE or FALSE, never NULL."""

    node: Node
    truth: bool


@dataclass(frozen=True, slots=True)
class Junction:
    """AND (``conjunction``) or OR over two or more NULL-free parts."""

    conjunction: bool
    parts: tuple[Formula, ...]


Formula = Test | Junction


def fold(node: Node, truth: bool = True) -> Formula:
    """``node IS truth`` as a NULL-free formula over condition tests (nested ANDs flattened)."""
    if isinstance(node, Not):
        return fold(node.arg, not truth)
    if not isinstance(node, Logic):
        return Test(node, truth)
    conjunction = (node.op == "and") == truth
    parts: list[Formula] = []
    for arg in node.args:
        part = fold(arg, truth)
        if isinstance(part, Junction) and part.conjunction == conjunction:
            parts.extend(part.parts)
        else:
            parts.append(part)
    return Junction(conjunction, tuple(parts))


def shared_expressions(trees: Iterable[Node]) -> dict[Node, str]:
    """Sub-expressions worth computing once: used more than once, more than a field or value.

    Each gets a column name ``shared:<n>`` (no profile field can be named so).
    """
    uses: Counter[Node] = Counter()
    for tree in trees:
        uses.update(node for node in walk(tree) if not isinstance(node, _TRIVIAL))
    return _column_names(node for node, count in uses.items() if count > 1)


def _column_names(items: Iterable[Hashable], start: int = 0) -> dict[Any, str]:
    """``shared:<n>`` column names for ``items``, numbered from ``start``."""
    return {item: f"shared:{n}" for n, item in enumerate(items, start)}


def folded_columns(
    trees: Mapping[str, Node], dialect: Dialect, today: dt.date
) -> tuple[dict[str, exp.Expr], dict[str, exp.Expr]]:
    """Each rule's ``rule IS TRUE`` as SQL, and the shared columns (name: SQL) they read."""
    return _Plan(trees, dialect, today).render()


def _tests(formula: Formula) -> Iterator[Test]:
    if isinstance(formula, Test):
        yield formula
    else:
        for part in formula.parts:
            yield from _tests(part)


class _Plan:
    """Which tests and sub-expressions are shared, then the SQL."""

    def __init__(self, trees: Mapping[str, Node], dialect: Dialect, today: dt.date) -> None:
        self.dialect = dialect
        self.today = today
        self.formulas = {offer_id: fold(tree) for offer_id, tree in trees.items()}
        formulas = list(self.formulas.values())
        uses = Counter(test for formula in formulas for test in _tests(formula))
        self.tests = _column_names(test for test, count in uses.items() if count > 1)
        rest = shared_expressions(test.node for test in uses if test not in self.tests)
        self.inner: dict[Node, str] = _column_names(rest, start=len(self.tests))
        self.used: set[str] = set()

    def render(self) -> tuple[dict[str, exp.Expr], dict[str, exp.Expr]]:
        columns = {offer_id: self.formula(f) for offer_id, f in self.formulas.items()}
        computed = {name: self.test(t, {}) for t, name in self.tests.items()}
        computed |= {
            name: to_expression(node, self.dialect, today=self.today)
            for node, name in self.inner.items()
        }
        return columns, {name: sql for name, sql in computed.items() if name in self.used}

    def formula(self, formula: Formula) -> exp.Expr:
        if isinstance(formula, Test):
            name = self.tests.get(formula)
            return self.column(name) if name else self.test(formula, self.inner)
        parts = [self.formula(part) for part in formula.parts]
        return self.junction(formula.conjunction, parts)

    def column(self, name: str) -> exp.Expr:
        self.used.add(name)
        return exp.column(name, quoted=True)

    def test(self, test: Test, columns: Mapping[Node, str]) -> exp.Expr:
        rendered = to_expression(test.node, self.dialect, today=self.today, columns=columns)
        below = set(walk(test.node))
        self.used.update(name for node, name in columns.items() if node in below)
        value, truth = exp.Paren(this=rendered), exp.Boolean(this=test.truth)
        if self.dialect == "spark":
            return exp.NullSafeEQ(this=value, expression=truth)
        return exp.Is(this=value, expression=truth)

    @staticmethod
    def junction(conjunction: bool, parts: list[exp.Expr]) -> exp.Expr:
        kind = exp.And if conjunction else exp.Or
        result = parts[0]
        for part in parts[1:]:
            result = kind(this=result, expression=part)
        return exp.Paren(this=result)
