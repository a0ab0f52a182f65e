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
from collections.abc import Callable, Mapping
from typing import Any, Protocol

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


def _node_vs_const(left: Evaluator, cmp: Callable[[Any, Any], Any], k: Any) -> Evaluator:
    def compare(c: Subject, t: dt.date) -> Any:
        x = left(c, t)
        return None if x is None else cmp(x, k)

    return compare


def _binary(left: Evaluator, right: Evaluator, fn: Callable[[Any, Any], Any]) -> Evaluator:
    """``fn(x, y)`` of two operands, NULL when either is NULL."""

    def binary(c: Subject, t: dt.date) -> Any:
        x = left(c, t)
        if x is None:
            return None
        y = right(c, t)
        return None if y is None else fn(x, y)

    return binary


def _unary(arg: Evaluator, fn: Callable[[Any], Any]) -> Evaluator:
    """``fn(x)`` of one operand, NULL when it is NULL."""

    def unary(c: Subject, t: dt.date) -> Any:
        x = arg(c, t)
        return None if x is None else fn(x)

    return unary


def _eq(name: str, k: Any) -> Evaluator:
    def f(c: Subject, t: dt.date) -> Any:
        v = c.attributes.get(name)
        return None if v is None else v == k

    return f


def _ne(name: str, k: Any) -> Evaluator:
    def f(c: Subject, t: dt.date) -> Any:
        v = c.attributes.get(name)
        return None if v is None else v != k

    return f


def _lt(name: str, k: Any) -> Evaluator:
    def f(c: Subject, t: dt.date) -> Any:
        v = c.attributes.get(name)
        return None if v is None else v < k

    return f


def _le(name: str, k: Any) -> Evaluator:
    def f(c: Subject, t: dt.date) -> Any:
        v = c.attributes.get(name)
        return None if v is None else v <= k

    return f


def _gt(name: str, k: Any) -> Evaluator:
    def f(c: Subject, t: dt.date) -> Any:
        v = c.attributes.get(name)
        return None if v is None else v > k

    return f


def _ge(name: str, k: Any) -> Evaluator:
    def f(c: Subject, t: dt.date) -> Any:
        v = c.attributes.get(name)
        return None if v is None else v >= k

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
    if node.op == "and":
        return _conjunction(_flatten_and(node.args))
    parts = tuple(compile_node(arg) for arg in node.args)
    if len(parts) == 2:
        return _or2(parts[0], parts[1])

    def disjunction(c: Subject, t: dt.date) -> Any:
        result: bool | None = False
        for part in parts:
            x = part(c, t)
            if x is True:
                return True
            if x is None:
                result = None
        return result

    return disjunction


def _flatten_and(args: tuple[Node, ...]) -> list[Node]:
    out: list[Node] = []
    for arg in args:
        if isinstance(arg, Logic) and arg.op == "and":
            out.extend(_flatten_and(arg.args))
        else:
            out.append(arg)
    return out


def _conjunction(args: list[Node]) -> Evaluator:
    """AND of many conditions in one frame: the shape of nearly every eligibility rule.

    ``holds()`` terms become two set tests, ``field op constant`` terms one loop with C
    comparisons; anything else is a nested evaluator. A definite FALSE anywhere decides.
    """
    required = frozenset(arg.product for arg in args if isinstance(arg, Holds))
    forbidden = frozenset(
        arg.arg.product for arg in args if isinstance(arg, Not) and isinstance(arg.arg, Holds)
    )
    checks = tuple(check for arg in args if (check := _simple_check(arg)) is not None)
    others = tuple(
        compile_node(arg)
        for arg in args
        if _simple_check(arg) is None
        and not isinstance(arg, Holds)
        and not (isinstance(arg, Not) and isinstance(arg.arg, Holds))
    )

    def conjunction(c: Subject, t: dt.date) -> Any:
        if required and not required <= c.holdings:
            return False
        if forbidden and not forbidden.isdisjoint(c.holdings):
            return False
        a = c.attributes
        result: bool | None = True
        for name, op, value in checks:
            v = a.get(name)
            if v is None:
                result = None
            elif not op(v, value):
                return False
        for other in others:
            x = other(c, t)
            if x is False:
                return False
            if x is None:
                result = None
        return result

    return conjunction


def _simple_check(node: Node) -> tuple[str, Callable[[Any, Any], Any], Any] | None:
    """``(field, op, constant)`` for ``field op constant`` or ``field IN (constants)``."""
    if isinstance(node, Compare):
        left, right, op = node.left, node.right, node.op
        if isinstance(left, Const):
            left, right, op = right, left, _FLIPPED[op]
        if isinstance(left, Field) and isinstance(right, Const) and right.value is not None:
            return left.name, _COMPARE[op], right.value
    if isinstance(node, InList) and isinstance(node.arg, Field):
        values = [item.value for item in node.items if isinstance(item, Const)]
        if len(values) == len(node.items) and None not in values:
            return node.arg.name, _is_in, frozenset(values)
    return None


def _is_in(value: Any, values: frozenset[Any]) -> bool:
    return value in values


def _or2(p: Evaluator, q: Evaluator) -> Evaluator:
    def either(c: Subject, t: dt.date) -> Any:
        x = p(c, t)
        if x is True:
            return True
        y = q(c, t)
        if y is True:
            return True
        return None if x is None or y is None else False

    return either


def _not(node: Not) -> Evaluator:
    arg = node.arg
    if isinstance(arg, Holds):
        product = arg.product

        def lacks(c: Subject, t: dt.date) -> Any:
            return product not in c.holdings

        return lacks
    return _unary(compile_node(arg), operator.not_)


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

        def days_since(c: Subject, t: dt.date) -> Any:
            v = c.attributes.get(name)
            return None if v is None else (t - v).days

        return days_since
    return _binary(compile_node(node.left), compile_node(node.right), _day_difference)


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
