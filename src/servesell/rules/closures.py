"""Compile a typed rule tree into nested Python closures for the online path.

Each node becomes one small function ``f(attributes, holdings, today)`` returning a value
or ``None`` for SQL NULL; the common shapes (field against constant, ``holds()``, ``IN``
over constants, ...) get a single specialised closure so a typical rule costs about a
microsecond. No text is ever evaluated: the closures are fixed code parameterised by the
checked tree.
"""

from __future__ import annotations

import calendar
import datetime as dt
import operator
from collections.abc import Callable, Mapping
from typing import Any

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

Evaluator = Callable[[Mapping[str, Any], frozenset[str], dt.date], Any]
"""A compiled node: ``(attributes, holdings, today) -> value or None``."""

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_FLIPPED = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def compile_node(node: Node) -> Evaluator:
    """The evaluator of ``node`` (and everything below it)."""
    return _COMPILERS[type(node)](node)


def _field(node: Field) -> Evaluator:
    name = node.name

    def field(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        return a.get(name)

    return field


def _const(node: Const) -> Evaluator:
    value = node.value

    def const(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        return value

    return const


def _today(_node: Today) -> Evaluator:
    def today(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        return t

    return today


def _holds(node: Holds) -> Evaluator:
    product = node.product

    def holds(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        return product in h

    return holds


def _compare(node: Compare) -> Evaluator:
    left, right, op = node.left, node.right, node.op
    if isinstance(left, Const) and not isinstance(right, Const):
        left, right, op = right, left, _FLIPPED[op]
    if isinstance(right, Const):
        if right.value is None:
            return _const(right)
        if isinstance(left, Field):
            return _FIELD_VS_CONST[op](left.name, right.value)
        return _node_vs_const(compile_node(left), _COMPARE[op], right.value)
    return _binary(compile_node(left), compile_node(right), _COMPARE[op])


def _node_vs_const(left: Evaluator, cmp: Callable[[Any, Any], Any], c: Any) -> Evaluator:
    def compare(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        x = left(a, h, t)
        return None if x is None else cmp(x, c)

    return compare


def _binary(left: Evaluator, right: Evaluator, fn: Callable[[Any, Any], Any]) -> Evaluator:
    """``fn(x, y)`` of two operands, NULL when either is NULL."""

    def binary(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        x = left(a, h, t)
        if x is None:
            return None
        y = right(a, h, t)
        return None if y is None else fn(x, y)

    return binary


def _unary(arg: Evaluator, fn: Callable[[Any], Any]) -> Evaluator:
    """``fn(x)`` of one operand, NULL when it is NULL."""

    def unary(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        x = arg(a, h, t)
        return None if x is None else fn(x)

    return unary


def _eq(name: str, c: Any) -> Evaluator:
    def f(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        v = a.get(name)
        return None if v is None else v == c

    return f


def _ne(name: str, c: Any) -> Evaluator:
    def f(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        v = a.get(name)
        return None if v is None else v != c

    return f


def _lt(name: str, c: Any) -> Evaluator:
    def f(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        v = a.get(name)
        return None if v is None else v < c

    return f


def _le(name: str, c: Any) -> Evaluator:
    def f(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        v = a.get(name)
        return None if v is None else v <= c

    return f


def _gt(name: str, c: Any) -> Evaluator:
    def f(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        v = a.get(name)
        return None if v is None else v > c

    return f


def _ge(name: str, c: Any) -> Evaluator:
    def f(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        v = a.get(name)
        return None if v is None else v >= c

    return f


_FIELD_VS_CONST: dict[str, Callable[[str, Any], Evaluator]] = {
    "=": _eq,
    "<>": _ne,
    "<": _lt,
    "<=": _le,
    ">": _gt,
    ">=": _ge,
}


def _logic(node: Logic) -> Evaluator:
    parts = tuple(compile_node(arg) for arg in node.args)
    stop = node.op == "or"
    if len(parts) == 2:
        return _logic2(parts[0], parts[1], stop)

    def logic(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        result: bool | None = not stop
        for part in parts:
            x = part(a, h, t)
            if x is stop:
                return stop
            if x is None:
                result = None
        return result

    return logic


def _logic2(p: Evaluator, q: Evaluator, stop: bool) -> Evaluator:
    """AND (``stop`` False) or OR (``stop`` True) of two conditions."""

    def logic2(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        x = p(a, h, t)
        if x is stop:
            return stop
        y = q(a, h, t)
        if y is stop:
            return stop
        return None if x is None or y is None else not stop

    return logic2


def _not(node: Not) -> Evaluator:
    arg = node.arg
    if isinstance(arg, Holds):
        product = arg.product

        def lacks(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
            return product not in h

        return lacks
    return _unary(compile_node(arg), operator.not_)


def _is_null(node: IsNull) -> Evaluator:
    if isinstance(node.arg, Field):
        name = node.arg.name

        def missing(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
            return a.get(name) is None

        return missing
    arg = compile_node(node.arg)

    def is_null(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        return arg(a, h, t) is None

    return is_null


def _in_list(node: InList) -> Evaluator:
    arg = compile_node(node.arg)
    if not all(isinstance(item, Const) for item in node.items):
        return _in_dynamic(arg, tuple(compile_node(item) for item in node.items))
    values = frozenset(item.value for item in node.items if isinstance(item, Const))
    miss = None if None in values else False

    def in_list(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        x = arg(a, h, t)
        if x is None:
            return None
        return True if x in values else miss

    return in_list


def _in_dynamic(arg: Evaluator, items: tuple[Evaluator, ...]) -> Evaluator:
    def in_dynamic(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        x = arg(a, h, t)
        if x is None:
            return None
        result: bool | None = False
        for item in items:
            y = item(a, h, t)
            if y is None:
                result = None
            elif x == y:
                return True
        return result

    return in_dynamic


def _like(node: Like) -> Evaluator:
    return _unary(compile_node(node.arg), node.pattern.matcher())


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
    return _binary(compile_node(node.left), compile_node(node.right), _ARITH[node.op])


def _neg(node: Neg) -> Evaluator:
    return _unary(compile_node(node.arg), operator.neg)


def _abs(node: Abs) -> Evaluator:
    return _unary(compile_node(node.arg), abs)


def _to_float(node: ToFloat) -> Evaluator:
    return _unary(compile_node(node.arg), float)


def _add_days(node: AddDays) -> Evaluator:
    return _binary(compile_node(node.date), compile_node(node.days), shift_days)


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
    return _unary(compile_node(node.date), lambda day: shift_months(day, months))


def _days_between(node: DaysBetween) -> Evaluator:
    if isinstance(node.left, Today) and isinstance(node.right, Field):
        name = node.right.name

        def days_since(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
            v = a.get(name)
            return None if v is None else (t - v).days

        return days_since
    return _binary(compile_node(node.left), compile_node(node.right), _day_difference)


def _day_difference(x: dt.date, y: dt.date) -> int:
    return (x - y).days


def _case(node: Case) -> Evaluator:
    whens = tuple((compile_node(c), compile_node(v)) for c, v in node.whens)
    default = compile_node(node.default)

    def case(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        for condition, value in whens:
            if condition(a, h, t) is True:
                return value(a, h, t)
        return default(a, h, t)

    return case


def _coalesce(node: Coalesce) -> Evaluator:
    args = tuple(compile_node(arg) for arg in node.args)

    def coalesce(a: Mapping[str, Any], h: frozenset[str], t: dt.date) -> Any:
        for arg in args:
            x = arg(a, h, t)
            if x is not None:
                return x
        return None

    return coalesce


_COMPILERS: dict[type[Node], Callable[[Any], Evaluator]] = {
    Field: _field,
    Const: _const,
    Today: _today,
    Holds: _holds,
    Compare: _compare,
    Logic: _logic,
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
