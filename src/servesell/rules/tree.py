"""The typed rule tree: what a validated rule means, independent of any engine.

The checker turns sqlglot's syntax tree into these nodes after resolving every field,
literal and type; the Python and SQL back ends each walk this one tree, so a rule means
the same thing everywhere. Implicit conversions are explicit nodes (:class:`ToFloat`),
so no back end has to guess how its engine would coerce.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from servesell.rules.like import LikePattern


class Type(StrEnum):
    """The value types of rule expressions (``null`` is the type of a bare ``NULL``)."""

    INT = "int"
    FLOAT = "float"
    STR = "str"
    BOOL = "bool"
    DATE = "date"
    NULL = "null"

    @property
    def is_numeric(self) -> bool:
        """True for ``int`` and ``float``."""
        return self in (Type.INT, Type.FLOAT)


Literal = int | float | str | bool | dt.date | None
"""A constant's value in Python."""


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every typed node; ``type`` is the type of the value it produces."""

    type: Type


@dataclass(frozen=True, slots=True)
class Field(Node):
    """A declared profile field; NULL when the customer has no value."""

    name: str


@dataclass(frozen=True, slots=True)
class Const(Node):
    """A literal, already converted to the node's type (``None`` is a typed NULL)."""

    value: Literal


@dataclass(frozen=True, slots=True)
class Today(Node):
    """``CURRENT_DATE``: the as-of date the rule is evaluated for, never the wall clock."""


@dataclass(frozen=True, slots=True)
class Holds(Node):
    """``holds('product')``: whether the customer already holds the product (never NULL)."""

    product: str


@dataclass(frozen=True, slots=True)
class Compare(Node):
    """``left op right`` for ``op`` in ``= <> < <= > >=``; operands have one type."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Logic(Node):
    """``AND`` or ``OR`` over two or more conditions, in three-valued logic."""

    op: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not(Node):
    """``NOT arg``; NOT NULL is NULL."""

    arg: Node


@dataclass(frozen=True, slots=True)
class IsNull(Node):
    """``arg IS NULL`` (never NULL itself)."""

    arg: Node


@dataclass(frozen=True, slots=True)
class InList(Node):
    """``arg IN (items)``: TRUE on a match, else NULL if anything is NULL, else FALSE."""

    arg: Node
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Like(Node):
    """``arg LIKE 'pattern'`` with a literal pattern."""

    arg: Node
    pattern: LikePattern


@dataclass(frozen=True, slots=True)
class Arith(Node):
    """``left op right`` for ``+ - * / %``; ``/`` is always float division, ``%`` int only.

    Dividing by zero gives NULL (not an error, not infinity) in every back end.
    """

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Neg(Node):
    """Unary minus."""

    arg: Node


@dataclass(frozen=True, slots=True)
class Abs(Node):
    """``abs(arg)``."""

    arg: Node


@dataclass(frozen=True, slots=True)
class ToFloat(Node):
    """An int used where a float is needed (the only implicit conversion)."""

    arg: Node


@dataclass(frozen=True, slots=True)
class AddDays(Node):
    """``date + days``: a date shifted by an integer number of days."""

    date: Node
    days: Node


@dataclass(frozen=True, slots=True)
class AddMonths(Node):
    """``date + INTERVAL 'n' MONTH``; the day is clamped to the end of a shorter month."""

    date: Node
    months: int


@dataclass(frozen=True, slots=True)
class DaysBetween(Node):
    """``left - right`` for two dates: whole days from ``right`` to ``left``."""

    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Case(Node):
    """Searched ``CASE WHEN cond THEN value ... ELSE default END`` (default may be NULL)."""

    whens: tuple[tuple[Node, Node], ...]
    default: Node


@dataclass(frozen=True, slots=True)
class Coalesce(Node):
    """``coalesce(args)``: the first argument that is not NULL."""

    args: tuple[Node, ...]


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node``, in evaluation order."""
    match node:
        case Compare(left=left, right=right) | Arith(left=left, right=right):
            return (left, right)
        case DaysBetween(left=left, right=right):
            return (left, right)
        case Logic(args=args) | Coalesce(args=args):
            return args
        case Not(arg=arg) | IsNull(arg=arg) | Like(arg=arg) | Neg(arg=arg):
            return (arg,)
        case Abs(arg=arg) | ToFloat(arg=arg):
            return (arg,)
        case InList(arg=arg, items=items):
            return (arg, *items)
        case AddDays(date=date, days=days):
            return (date, days)
        case AddMonths(date=date):
            return (date,)
        case Case(whens=whens, default=default):
            return (*(part for pair in whens for part in pair), default)
    return ()


def walk(node: Node) -> list[Node]:
    """``node`` and every node below it, depth first."""
    out = [node]
    for child in children(node):
        out.extend(walk(child))
    return out
