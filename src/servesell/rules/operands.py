"""Values in rules: literals, arithmetic, date arithmetic and the domain functions.

Arithmetic is defined once here so every engine agrees: ``/`` always divides as floats
and gives NULL for a zero divisor, ``%`` takes whole numbers only (sign of the dividend,
as in SQL), and dates move by whole days, or by months with the day clamped to the end
of a shorter month.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlglot import exp

from servesell.errors import RuleError
from servesell.rules.coerce import common_type
from servesell.rules.tree import (
    Abs,
    AddDays,
    AddMonths,
    Arith,
    Const,
    DaysBetween,
    Holds,
    Neg,
    Node,
    Today,
    Type,
)

if TYPE_CHECKING:
    from servesell.rules.check import Checker

INT64_MAX = 2**63 - 1
FUNCTIONS = ("abs", "coalesce", "current_date", "days_since", "holds")
"""Functions a rule may call (``CURRENT_DATE`` is written without parentheses too)."""

_ARITH: dict[type[exp.Expr], str] = {
    exp.Add: "+",
    exp.Sub: "-",
    exp.Mul: "*",
    exp.Div: "/",
    exp.Mod: "%",
}
_WHOLE = re.compile(r"^[+-]?[0-9]+$")
_INTERVAL_DAYS = {"DAY": 1, "DAYS": 1, "WEEK": 7, "WEEKS": 7}
_INTERVAL_MONTHS = {"MONTH": 1, "MONTHS": 1, "YEAR": 12, "YEARS": 12}
_SUPPORTED = (
    "comparisons, AND/OR/NOT, IN, BETWEEN, LIKE, IS [NOT] NULL, + - * / %, CASE, "
    "COALESCE, abs(), holds(), days_since(), CURRENT_DATE, INTERVAL"
)


def expr(checker: Checker, node: exp.Expr) -> Node:
    """The typed tree of a value expression; RuleError for anything not allowed."""
    if type(node) in _ARITH:
        return _arith(checker, node)
    handler = _HANDLERS.get(type(node))
    if handler is None:
        raise _unsupported(checker, node)
    return handler(checker, node)


def _unsupported(checker: Checker, node: exp.Expr) -> RuleError:
    if isinstance(node, exp.Query | exp.Subquery | exp.Exists | exp.Any | exp.All):
        return checker.error("subqueries are not allowed in rules", node)
    if isinstance(node, exp.Cast):
        return checker.error(
            "CAST is only allowed for a date literal, e.g. DATE '2024-01-31' "
            "(engines convert other values differently)",
            node,
        )
    if isinstance(node, exp.Anonymous | exp.Func):
        name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
        return checker.error(_unknown_function(name.lower()), node)
    if isinstance(node, exp.Placeholder | exp.Parameter):
        return checker.error("parameters are not allowed in rules; write the value", node)
    if isinstance(node, exp.Interval):
        return checker.error("an INTERVAL can only be added to or subtracted from a date", node)
    return checker.error(f"{_show(node)} is not allowed in a rule (allowed: {_SUPPORTED})", node)


def _unknown_function(name: str) -> str:
    message = f"unknown function {name}()"
    close = difflib.get_close_matches(name, FUNCTIONS, n=1, cutoff=0.6)
    if close:
        return message + f" (did you mean {close[0]}()?)"
    if name in ("now", "today", "current_timestamp", "getdate"):
        return message + ": write CURRENT_DATE for the as-of date"
    return message + f"; rules can call {', '.join(FUNCTIONS)}"


def _show(node: exp.Expr) -> str:
    text: str = node.sql()
    return text if len(text) <= 40 else text[:37] + "..."


def _literal(checker: Checker, node: exp.Expr) -> Node:
    text: str = node.this
    if node.is_string:
        if "\x00" in text:
            raise checker.error("text may not contain the NUL character", node)
        return Const(Type.STR, text)
    if _WHOLE.match(text):
        if int(text) > INT64_MAX:
            raise checker.error(f"{text} is larger than the largest whole number", node)
        return Const(Type.INT, int(text))
    value = float(text)
    if not math.isfinite(value):
        raise checker.error(f"{text} is too large a number", node)
    return Const(Type.FLOAT, value)


def _neg(checker: Checker, node: exp.Expr) -> Node:
    typed = checker.expr(node.this)
    if typed.type is Type.NULL:
        return typed
    if not typed.type.is_numeric:
        raise checker.error(f"minus needs a number, but {_show(node.this)} is {typed.type}", node)
    return negate(typed)


def negate(typed: Node) -> Node:
    """``-typed``, folded when it is a constant."""
    if isinstance(typed, Const) and isinstance(typed.value, int | float):
        return Const(typed.type, -typed.value)
    return Neg(typed.type, typed)


def _arith(checker: Checker, node: exp.Expr) -> Node:
    op = _ARITH[type(node)]
    sides = (node.this, node.expression)
    if op in "+-" and any(isinstance(side, exp.Interval) for side in sides):
        return _shift_by_interval(checker, op, node)
    left, right = checker.expr(node.this), checker.expr(node.expression)
    if Type.DATE in (left.type, right.type):
        return _date_arith(checker, op, node, left, right)
    for typed, side in ((left, node.this), (right, node.expression)):
        if not (typed.type.is_numeric or typed.type is Type.NULL):
            raise checker.error(f"{op} needs numbers, but {_show(side)} is {typed.type}", side)
    target = _arith_type(checker, op, node, left, right)
    return Arith(
        target,
        op,
        checker.coerce(left, target, node.this),
        checker.coerce(right, target, node.expression),
    )


def _arith_type(checker: Checker, op: str, node: exp.Expr, left: Node, right: Node) -> Type:
    if op == "/":
        return Type.FLOAT
    if op == "%" and Type.FLOAT in (left.type, right.type):
        raise checker.error("% needs whole numbers on both sides", node)
    found = common_type(left.type, right.type)
    return Type.INT if found in (None, Type.NULL) else found


def _date_arith(checker: Checker, op: str, node: exp.Expr, left: Node, right: Node) -> Node:
    days_types = (Type.INT, Type.NULL)
    if op == "+" and left.type is Type.DATE and right.type in days_types:
        return AddDays(Type.DATE, left, checker.coerce(right, Type.INT, node.expression))
    if op == "+" and right.type is Type.DATE and left.type in days_types:
        return AddDays(Type.DATE, right, checker.coerce(left, Type.INT, node.this))
    if op == "-" and left.type is Type.DATE and right.type in days_types:
        days = checker.coerce(right, Type.INT, node.expression)
        return AddDays(Type.DATE, left, negate(days))
    if op == "-" and left.type is Type.DATE and right.type is Type.DATE:
        return DaysBetween(Type.INT, left, right)
    raise checker.error(
        f"cannot compute {left.type} {op} {right.type}: dates take + or - whole days "
        "(or an INTERVAL), and date - date gives days",
        node,
    )


def _shift_by_interval(checker: Checker, op: str, node: exp.Expr) -> Node:
    interval, date_side = node.expression, node.this
    if isinstance(date_side, exp.Interval):
        if op == "-":
            raise checker.error("subtract an INTERVAL from a date, not a date from it", node)
        interval, date_side = date_side, interval
    date = checker.expr(date_side)
    if date.type is Type.STR:
        date = checker.coerce(date, Type.DATE, date_side)
    if date.type not in (Type.DATE, Type.NULL):
        raise checker.error(f"an INTERVAL moves a date, but {_show(date_side)} is not one", node)
    date = checker.coerce(date, Type.DATE, date_side)
    unit, amount = _interval(checker, interval)
    amount = -amount if op == "-" else amount
    if unit == "day":
        return AddDays(Type.DATE, date, Const(Type.INT, amount))
    return AddMonths(Type.DATE, date, amount)


def _interval(checker: Checker, node: exp.Expr) -> tuple[str, int]:
    unit = node.args.get("unit")
    name = unit.name.upper() if unit is not None else ""
    amount = node.this
    text = amount.this if isinstance(amount, exp.Literal) else None
    if not (isinstance(text, str) and _WHOLE.match(text.strip())):
        raise checker.error("an INTERVAL needs a whole number, e.g. INTERVAL '30' DAY", node)
    count = int(text)
    if abs(count) > 1_000_000:
        raise checker.error("that INTERVAL is too long", node)
    if name in _INTERVAL_DAYS:
        return "day", count * _INTERVAL_DAYS[name]
    if name in _INTERVAL_MONTHS:
        return "month", count * _INTERVAL_MONTHS[name]
    raise checker.error("an INTERVAL counts DAY, WEEK, MONTH or YEAR", node)


def _call(checker: Checker, node: exp.Expr) -> Node:
    name = node.name.lower()
    args = node.expressions
    if name not in ("holds", "days_since"):
        raise _unsupported(checker, node)
    if len(args) != 1:
        raise checker.error(f"{name}() takes exactly one argument", node)
    if name == "holds":
        return _holds(checker, args[0])
    return _days_since(checker, args[0])


def _holds(checker: Checker, arg: exp.Expr) -> Node:
    if not (isinstance(arg, exp.Literal) and arg.is_string and arg.this.strip()):
        raise checker.error("holds() needs a quoted product code, e.g. holds('gold_card')", arg)
    checker.products.add(arg.this)
    return Holds(Type.BOOL, arg.this)


def _days_since(checker: Checker, arg: exp.Expr) -> Node:
    typed = checker.expr(arg)
    if typed.type not in (Type.DATE, Type.NULL, Type.STR):
        raise checker.error(f"days_since() needs a date, but {_show(arg)} is {typed.type}", arg)
    if typed.type is Type.STR and not isinstance(typed, Const):
        raise checker.error(f"days_since() needs a date, but {_show(arg)} is text", arg)
    return DaysBetween(Type.INT, Today(Type.DATE), checker.coerce(typed, Type.DATE, arg))


def _abs(checker: Checker, node: exp.Expr) -> Node:
    typed = checker.expr(node.this)
    if typed.type is Type.NULL:
        return typed
    if not typed.type.is_numeric:
        raise checker.error(f"abs() needs a number, but {_show(node.this)} is {typed.type}", node)
    return Abs(typed.type, typed)


def _today(checker: Checker, node: exp.Expr) -> Node:
    if node.args.get("this") is not None:
        raise checker.error("CURRENT_DATE takes no time zone: it is the as-of date", node)
    return Today(Type.DATE)


def _date_literal(checker: Checker, node: exp.Expr) -> Node:
    target = node.args.get("to")
    is_date = isinstance(node, exp.Date) or (target is not None and target.is_type("date"))
    value = node.this
    if is_date and isinstance(value, exp.Literal) and value.is_string:
        return checker.coerce(Const(Type.STR, value.this), Type.DATE, value)
    raise _unsupported(checker, node)


_HANDLERS: dict[type[exp.Expr], Callable[[Checker, exp.Expr], Node]] = {
    exp.Literal: _literal,
    exp.Boolean: lambda _checker, node: Const(Type.BOOL, bool(node.this)),
    exp.Null: lambda _checker, _node: Const(Type.NULL, None),
    exp.Neg: _neg,
    exp.Anonymous: _call,
    exp.Abs: _abs,
    exp.CurrentDate: _today,
    exp.Cast: _date_literal,
    exp.Date: _date_literal,
}
