"""The few implicit conversions the rule language allows, made explicit in the tree.

* ``int`` meets ``float``: the int side becomes float (as every SQL engine does).
* a bare ``NULL`` takes the type of what it meets.
* a text literal meets a ``date``: the literal must be an ISO date (``'2024-01-31'``).

Nothing else converts: comparing text with a number or a flag with a number is an error,
because engines disagree on such casts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from servesell.rules.tree import Const, Node, ToFloat, Type


def common_type(left: Type, right: Type) -> Type | None:
    """The type two operands are compared or combined in, ``None`` when they do not mix."""
    if left == right:
        return left
    if left is Type.NULL:
        return right
    if right is Type.NULL:
        return left
    if left.is_numeric and right.is_numeric:
        return Type.FLOAT
    return None


def common_type_of(nodes: Sequence[Node]) -> Type | None:
    """The type all ``nodes`` meet in; text literals count as dates beside a date."""
    has_date = any(node.type is Type.DATE for node in nodes)
    result: Type | None = Type.NULL
    for node in nodes:
        kind = Type.DATE if has_date and _is_text_literal(node) else node.type
        result = common_type(result, kind) if result is not None else None
    return result


def coerce(node: Node, target: Type) -> Node:
    """``node`` as a value of ``target``; ``ValueError`` when it cannot be (bad ISO date)."""
    if node.type == target or target is Type.NULL:
        return node
    if isinstance(node, Const) and node.value is None:
        return Const(target, None)
    if node.type is Type.INT and target is Type.FLOAT:
        if isinstance(node, Const) and isinstance(node.value, int):
            return Const(Type.FLOAT, float(node.value))
        return ToFloat(Type.FLOAT, node)
    if isinstance(node, Const) and isinstance(node.value, str) and target is Type.DATE:
        return Const(Type.DATE, parse_iso_date(node.value))
    raise ValueError(f"cannot use a {node.type} value as {target}")  # pragma: no cover


def parse_iso_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` as a date; ``ValueError`` with the reason otherwise."""
    stripped = text.strip()
    if len(stripped) != 10 or stripped[4] != "-" or stripped[7] != "-":
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(stripped)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date") from None


def _is_text_literal(node: Node) -> bool:
    return isinstance(node, Const) and node.type is Type.STR and node.value is not None
