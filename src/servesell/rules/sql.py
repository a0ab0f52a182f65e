"""Render a typed rule tree as SQL for DuckDB, PostgreSQL and Spark SQL.

The SQL is built as a sqlglot tree from the checked rule, never from the user's text, and
spells out every conversion so each engine computes what the Python closures compute:

* literals are typed: floats as ``CAST('0.1' AS DOUBLE)`` (correctly rounded, unlike a
  DECIMAL literal), integer arithmetic in ``BIGINT``, NULLs cast to their type;
* ``/`` divides doubles by ``NULLIF(divisor, 0)`` and ``%`` uses ``NULLIF`` too, so a
  zero divisor is NULL everywhere (DuckDB would give infinity, PostgreSQL an error);
* text ordering in PostgreSQL uses ``COLLATE "C"`` (code-point order, as Python and
  DuckDB/Spark already do);
* ``LIKE`` always carries an explicit ``ESCAPE`` (engines' defaults differ);
* dates move with ``date + int`` / ``add_months`` and subtract to whole days, and
  ``CURRENT_DATE`` is the as-of date written as a literal, never the server's clock;
* ``holds('p')`` reads the ``holdings`` list column and is never NULL.

Every sub-expression is parenthesised, so precedence cannot differ between engines.
The table must have one column per profile field (int as BIGINT, float as DOUBLE, str,
bool, date) and ``holdings`` as a list of text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from sqlglot import exp

from servesell.rules.tree import (
    Abs,
    AddDays,
    AddMonths,
    Arith,
    Case,
    Coalesce,
    Compare,
    Const,
    DaysBetween,
    Field,
    Holds,
    InList,
    IsNull,
    Like,
    Logic,
    Neg,
    Node,
    Not,
    Today,
    ToFloat,
    Type,
)

Dialect = Literal["duckdb", "postgres", "spark"]
DIALECTS: tuple[Dialect, ...] = ("duckdb", "postgres", "spark")
HOLDINGS = "holdings"
"""Name of the list-of-text column holding the customer's product codes."""

_SQL_TYPES = {
    Type.INT: "BIGINT",
    Type.FLOAT: "DOUBLE",
    Type.STR: "TEXT",
    Type.BOOL: "BOOLEAN",
    Type.DATE: "DATE",
}
_COMPARE: dict[str, type[exp.Expression]] = {
    "=": exp.EQ,
    "<>": exp.NEQ,
    "<": exp.LT,
    "<=": exp.LTE,
    ">": exp.GT,
    ">=": exp.GTE,
}
_ARITH: dict[str, type[exp.Expression]] = {
    "+": exp.Add,
    "-": exp.Sub,
    "*": exp.Mul,
    "/": exp.Div,
    "%": exp.Mod,
}
_ATOMS = (exp.Column, exp.Literal, exp.Boolean, exp.Null, exp.Cast, exp.Func, exp.Paren)


def to_sql(tree: Node, dialect: Dialect, *, today: dt.date) -> str:
    """SQL text of ``tree`` in ``dialect``, with ``CURRENT_DATE`` fixed to ``today``."""
    text: str = to_expression(tree, dialect, today=today).sql(dialect=dialect)
    return text


def to_expression(tree: Node, dialect: Dialect, *, today: dt.date) -> exp.Expr:
    """The sqlglot tree of ``tree`` for ``dialect`` (to embed in a larger query)."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r}; expected one of {DIALECTS}")
    return _Renderer(dialect, today).render(tree)


def date_literal(day: dt.date) -> exp.Expr:
    """``CAST('YYYY-MM-DD' AS DATE)``."""
    return exp.cast(exp.Literal.string(day.isoformat()), "DATE")


def _paren(node: exp.Expr) -> exp.Expr:
    return node if isinstance(node, _ATOMS) else exp.Paren(this=node)


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


class _Renderer:
    def __init__(self, dialect: Dialect, today: dt.date) -> None:
        self.dialect = dialect
        self.today = today

    def render(self, node: Node) -> exp.Expr:
        expression: exp.Expr = _RENDER[type(node)](self, node)
        return expression

    def operand(self, node: Node) -> exp.Expr:
        return _paren(self.render(node))

    def typed(self, node: Node, sql_type: str) -> exp.Expr:
        """``node`` cast to ``sql_type`` (fields of narrower types, untyped literals)."""
        rendered = self.render(node)
        if isinstance(rendered, exp.Cast) and rendered.to.is_type(sql_type):
            return rendered
        if isinstance(node, Arith) and _SQL_TYPES[node.type] == sql_type:
            return rendered
        return exp.cast(rendered, sql_type)

    def const(self, node: Const) -> exp.Expr:
        value = node.value
        if value is None:
            null = exp.Null()
            return null if node.type is Type.NULL else exp.cast(null, _SQL_TYPES[node.type])
        if isinstance(value, bool):
            return exp.Boolean(this=value)
        if isinstance(value, int):
            literal = exp.Literal.number(abs(value))
            return exp.Neg(this=literal) if value < 0 else literal
        if isinstance(value, float):
            return exp.cast(exp.Literal.string(repr(value)), "DOUBLE")
        if isinstance(value, dt.date):
            return date_literal(value)
        return exp.Literal.string(value)

    def holds(self, node: Holds) -> exp.Expr:
        column = exp.column(HOLDINGS, quoted=True)
        product = exp.Literal.string(node.product)
        if self.dialect == "postgres":
            test: exp.Expr = exp.EQ(this=product, expression=exp.Any(this=exp.Paren(this=column)))
        elif self.dialect == "spark":
            test = _call("array_contains", column, product)
        else:
            test = _call("list_contains", column, product)
        return exp.Coalesce(this=_paren(test), expressions=[exp.false()])

    def compare(self, node: Compare) -> exp.Expr:
        left, right = self.operand(node.left), self.operand(node.right)
        ordering = node.op not in ("=", "<>")
        if self.dialect == "postgres" and node.left.type is Type.STR and ordering:
            left = exp.Collate(this=left, expression=exp.Identifier(this="C", quoted=True))
        return _COMPARE[node.op](this=left, expression=right)

    def logic(self, node: Logic) -> exp.Expr:
        parts = [self.operand(arg) for arg in node.args]
        kind = exp.And if node.op == "and" else exp.Or
        result = parts[0]
        for part in parts[1:]:
            result = exp.Paren(this=kind(this=result, expression=part))
        return result

    def in_list(self, node: InList) -> exp.Expr:
        items = [self.operand(item) for item in node.items]
        return exp.In(this=self.operand(node.arg), expressions=items)

    def like(self, node: Like) -> exp.Expr:
        pattern, escape = node.pattern.sql()
        like = exp.Like(this=self.operand(node.arg), expression=exp.Literal.string(pattern))
        return exp.Escape(this=like, expression=exp.Literal.string(escape))

    def arith(self, node: Arith) -> exp.Expr:
        sql_type = _SQL_TYPES[node.type]
        left, right = self.typed(node.left, sql_type), self.typed(node.right, sql_type)
        if node.op in "/%":
            right = exp.Nullif(this=right, expression=exp.Literal.number(0))
        return _ARITH[node.op](this=_paren(left), expression=_paren(right))

    def add_days(self, node: AddDays) -> exp.Expr:
        date, days = self.operand(node.date), self.typed(node.days, "INT")
        if self.dialect == "spark":
            return _call("date_add", date, days)
        return exp.Add(this=date, expression=days)

    def add_months(self, node: AddMonths) -> exp.Expr:
        date = self.operand(node.date)
        if self.dialect == "spark":
            return _call("add_months", date, exp.Literal.number(node.months))
        interval = exp.Interval(
            this=exp.Literal.string(str(node.months)), unit=exp.Var(this="MONTH")
        )
        return exp.cast(exp.Paren(this=exp.Add(this=date, expression=interval)), "DATE")

    def days_between(self, node: DaysBetween) -> exp.Expr:
        left, right = self.operand(node.left), self.operand(node.right)
        if self.dialect == "spark":
            return _call("datediff", left, right)
        return exp.Sub(this=left, expression=right)

    def case(self, node: Case) -> exp.Expr:
        ifs = [
            exp.If(this=self.operand(cond), true=self.operand(value)) for cond, value in node.whens
        ]
        return exp.Case(ifs=ifs, default=self.operand(node.default))


_RENDER: dict[type[Node], Callable[[_Renderer, Any], exp.Expr]] = {
    Field: lambda _r, node: exp.column(node.name, quoted=True),
    Const: _Renderer.const,
    Today: lambda r, _node: date_literal(r.today),
    Holds: _Renderer.holds,
    Compare: _Renderer.compare,
    Logic: _Renderer.logic,
    Not: lambda r, node: exp.Not(this=r.operand(node.arg)),
    IsNull: lambda r, node: exp.Is(this=r.operand(node.arg), expression=exp.Null()),
    InList: _Renderer.in_list,
    Like: _Renderer.like,
    Arith: _Renderer.arith,
    Neg: lambda r, node: exp.Neg(this=r.operand(node.arg)),
    Abs: lambda r, node: exp.Abs(this=r.render(node.arg)),
    ToFloat: lambda r, node: r.typed(node.arg, "DOUBLE"),
    AddDays: _Renderer.add_days,
    AddMonths: _Renderer.add_months,
    DaysBetween: _Renderer.days_between,
    Case: _Renderer.case,
    Coalesce: lambda r, node: exp.Coalesce(
        this=r.render(node.args[0]), expressions=[r.render(a) for a in node.args[1:]]
    ),
}
