"""Conditions compiled for speed: comparisons and AND/OR chains in as few frames as possible.

``field op constant`` is one closure; an AND chain (the shape of nearly every eligibility
rule) is one frame that tests ``holds()`` terms with two set operations and loops over
``field op constant`` terms with C comparisons, calling nested evaluators only for the rest.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from typing import Any

from servesell.rules.evaluator import Evaluator, Subject, binary
from servesell.rules.tree import Compare, Const, Field, Holds, InList, Logic, Node, Not

Compiler = Callable[[Node], Evaluator]
"""Compiles any sub-expression (passed in to keep this module free of the full table)."""

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_FLIPPED = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def compile_compare(node: Compare, compile_node: Compiler) -> Evaluator:
    """The evaluator of a comparison, specialised when one side is a constant."""
    left, right, op = node.left, node.right, node.op
    if isinstance(left, Const) and not isinstance(right, Const):
        left, right, op = right, left, _FLIPPED[op]
    if isinstance(right, Const):
        if right.value is None:
            return _null
        if isinstance(left, Field):
            return _FIELD_VS_CONST[op](left.name, right.value)
        return _node_vs_const(compile_node(left), _COMPARE[op], right.value)
    return binary(compile_node(left), compile_node(right), _COMPARE[op])


def _node_vs_const(left: Evaluator, cmp: Callable[[Any, Any], Any], k: Any) -> Evaluator:
    def compare(c: Subject, t: dt.date) -> Any:
        x = left(c, t)
        return None if x is None else cmp(x, k)

    return compare


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


def compile_logic(node: Logic, compile_node: Compiler) -> Evaluator:
    """The evaluator of an AND or OR chain."""
    if node.op == "and":
        return _conjunction(_flatten_and(node.args), compile_node)
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


def _conjunction(args: list[Node], compile_node: Compiler) -> Evaluator:
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


def _null(c: Subject, t: dt.date) -> Any:
    return None
