"""Compile a typed rule tree into nested Python closures for the online path.

Each node becomes one small function ``f(customer, today)`` returning a value
or ``None`` for SQL NULL; the common shapes (field against constant, ``holds()``, ``IN``
over constants, ...) get a single specialised closure so a typical rule costs about a
microsecond. No text is ever evaluated: the closures are fixed code parameterised by the
checked tree.
"""

from __future__ import annotations

import calendar
import datetime as dt
import operator
from collections.abc import Callable
from typing import Any

from servesell.rules.conditions import compile_compare, compile_logic
from servesell.rules.evaluator import Evaluator, Subject, binary, unary
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
)


def compile_node(node: Node) -> Evaluator:
    """The evaluator of ``node`` (and everything below it)."""
    return _COMPILERS[type(node)](node)


def _field(node: Field) -> Evaluator:
    name = node.name

    def field(c: Subject, t: dt.date) -> Any:
        return c.attributes.get(name)

    return field


def _const(node: Const) -> Evaluator:
    value = node.value

    def const(c: Subject, t: dt.date) -> Any:
        return value

    return const


def _today(_node: Today) -> Evaluator:
    def today(c: Subject, t: dt.date) -> Any:
        return t

    return today


def _holds(node: Holds) -> Evaluator:
    product = node.product

    def holds(c: Subject, t: dt.date) -> Any:
        return product in c.holdings

    return holds


def _not(node: Not) -> Evaluator:
    arg = node.arg
    if isinstance(arg, Holds):
        product = arg.product

        def lacks(c: Subject, t: dt.date) -> Any:
            return product not in c.holdings

        return lacks
    return unary(compile_node(arg), operator.not_)


def _is_null(node: IsNull) -> Evaluator:
    if isinstance(node.arg, Field):
        name = node.arg.name

        def missing(c: Subject, t: dt.date) -> Any:
            return c.attributes.get(name) is None

        return missing
    arg = compile_node(node.arg)

    def is_null(c: Subject, t: dt.date) -> Any:
        return arg(c, t) is None

    return is_null


def _in_list(node: InList) -> Evaluator:
    arg = compile_node(node.arg)
    if not all(isinstance(item, Const) for item in node.items):
        return _in_dynamic(arg, tuple(compile_node(item) for item in node.items))
    values = frozenset(item.value for item in node.items if isinstance(item, Const))
    miss = None if None in values else False

    def in_list(c: Subject, t: dt.date) -> Any:
        x = arg(c, t)
        if x is None:
            return None
        return True if x in values else miss

    return in_list


def _in_dynamic(arg: Evaluator, items: tuple[Evaluator, ...]) -> Evaluator:
    def in_dynamic(c: Subject, t: dt.date) -> Any:
        x = arg(c, t)
        if x is None:
            return None
        result: bool | None = False
        for item in items:
            y = item(c, t)
            if y is None:
                result = None
            elif x == y:
                return True
        return result

    return in_dynamic


def _like(node: Like) -> Evaluator:
    return unary(compile_node(node.arg), node.pattern.matcher())


def _divide(x: Any, y: Any) -> Any:
    return None if y == 0 else x / y


def _modulo(x: int, y: int) -> int | None:
    if y == 0:
        return None
    rest = abs(x) % abs(y)
    return -rest if x < 0 else rest


_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _divide,
    "%": _modulo,
}


def _arith(node: Arith) -> Evaluator:
    return binary(compile_node(node.left), compile_node(node.right), _ARITH[node.op])


def _neg(node: Neg) -> Evaluator:
    return unary(compile_node(node.arg), operator.neg)


def _abs(node: Abs) -> Evaluator:
    return unary(compile_node(node.arg), abs)


def _to_float(node: ToFloat) -> Evaluator:
    return unary(compile_node(node.arg), float)


def _add_days(node: AddDays) -> Evaluator:
    return binary(compile_node(node.date), compile_node(node.days), shift_days)


def shift_days(day: dt.date, days: int) -> dt.date | None:
    """``day`` moved by ``days``; NULL outside the years 1-9999 Python can represent."""
    try:
        return dt.date.fromordinal(day.toordinal() + days)
    except (ValueError, OverflowError):
        return None


def shift_months(day: dt.date, months: int) -> dt.date | None:
    """``day`` moved by whole months, clamped to the last day of a shorter month."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return None
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def _add_months(node: AddMonths) -> Evaluator:
    months = node.months
    return unary(compile_node(node.date), lambda day: shift_months(day, months))


def _days_between(node: DaysBetween) -> Evaluator:
    if isinstance(node.left, Today) and isinstance(node.right, Field):
        name = node.right.name

        def days_since(c: Subject, t: dt.date) -> Any:
            v = c.attributes.get(name)
            return None if v is None else (t - v).days

        return days_since
    return binary(compile_node(node.left), compile_node(node.right), _day_difference)


def _day_difference(x: dt.date, y: dt.date) -> int:
    return (x - y).days


def _case(node: Case) -> Evaluator:
    whens = tuple((compile_node(cond), compile_node(v)) for cond, v in node.whens)
    default = compile_node(node.default)

    def case(c: Subject, t: dt.date) -> Any:
        for condition, value in whens:
            if condition(c, t) is True:
                return value(c, t)
        return default(c, t)

    return case


def _coalesce(node: Coalesce) -> Evaluator:
    args = tuple(compile_node(arg) for arg in node.args)

    def coalesce(c: Subject, t: dt.date) -> Any:
        for arg in args:
            x = arg(c, t)
            if x is not None:
                return x
        return None

    return coalesce


_COMPILERS: dict[type[Node], Callable[[Any], Evaluator]] = {
    Field: _field,
    Const: _const,
    Today: _today,
    Holds: _holds,
    Compare: lambda node: compile_compare(node, compile_node),
    Logic: lambda node: compile_logic(node, compile_node),
    Not: _not,
    IsNull: _is_null,
    InList: _in_list,
    Like: _like,
    Arith: _arith,
    Neg: _neg,
    Abs: _abs,
    ToFloat: _to_float,
    AddDays: _add_days,
    AddMonths: _add_months,
    DaysBetween: _days_between,
    Case: _case,
    Coalesce: _coalesce,
}
