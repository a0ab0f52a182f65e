"""Check a parsed rule against the profile schema and build its typed tree.

Every construct is on an allow-list; anything else (subqueries, casts, unknown functions,
bitwise operators, ...) is refused with its position. Fields must be declared (with a
did-you-mean for typos), operands must have compatible types, and the whole rule must be
a condition.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from servesell.domain.schema import RESERVED_FIELDS, FieldType
from servesell.errors import RuleError
from servesell.rules import operands
from servesell.rules.coerce import coerce, common_type_of
from servesell.rules.like import parse_like
from servesell.rules.syntax import position
from servesell.rules.tree import (
    Case,
    Coalesce,
    Compare,
    Const,
    Field,
    InList,
    IsNull,
    Like,
    Logic,
    Node,
    Not,
    Type,
)

if TYPE_CHECKING:
    from servesell.domain.schema import ProfileSchema

_FIELD_TYPES = {
    FieldType.INT: Type.INT,
    FieldType.FLOAT: Type.FLOAT,
    FieldType.STR: Type.STR,
    FieldType.BOOL: Type.BOOL,
    FieldType.DATE: Type.DATE,
}
_COMPARISONS: dict[type[exp.Expr], str] = {
    exp.EQ: "=",
    exp.NEQ: "<>",
    exp.LT: "<",
    exp.LTE: "<=",
    exp.GT: ">",
    exp.GTE: ">=",
}


@dataclass(frozen=True, slots=True)
class Checked:
    """A rule's typed tree and what it reads: profile fields and products in ``holds()``."""

    tree: Node
    fields: frozenset[str]
    products: frozenset[str]


def check(syntax: exp.Expr, text: str, schema: ProfileSchema) -> Checked:
    """Validate ``syntax`` (parsed from ``text``) against ``schema``; RuleError when invalid."""
    checker = Checker(text, schema)
    try:
        tree = checker.condition(syntax)
    except RecursionError:
        raise RuleError("the rule is nested too deeply", rule=text) from None
    return Checked(tree, frozenset(checker.fields), frozenset(checker.products))


class Checker:
    """Walks one rule's syntax tree, collecting the fields and products it uses."""

    def __init__(self, text: str, schema: ProfileSchema) -> None:
        self.text = text
        self.schema = schema
        self.fields: set[str] = set()
        self.products: set[str] = set()

    def error(self, message: str, at: exp.Expr | None) -> RuleError:
        """A :class:`RuleError` pointing at ``at``."""
        return RuleError(message, rule=self.text, position=position(at))

    def expr(self, node: exp.Expr) -> Node:
        """The typed tree of any allowed expression."""
        handler = _HANDLERS.get(type(node))
        if handler is not None:
            return handler(self, node)
        if type(node) in _COMPARISONS:
            return self.compare(_COMPARISONS[type(node)], node.this, node.expression)
        return operands.expr(self, node)

    def condition(self, node: exp.Expr) -> Node:
        """The typed tree of ``node``, which must be a condition (or NULL)."""
        typed = self.expr(node)
        if typed.type is Type.NULL:
            return Const(Type.BOOL, None)
        if typed.type is not Type.BOOL:
            raise self.error(
                f"expected a condition (true/false) but {_show(node)} is {typed.type}", node
            )
        return typed

    def coerce(self, typed: Node, target: Type, at: exp.Expr) -> Node:
        """``typed`` converted to ``target``, a RuleError at ``at`` when it cannot be."""
        try:
            return coerce(typed, target)
        except ValueError as exc:
            raise self.error(str(exc), at) from None

    def unify(self, typed: Sequence[Node], syntax: Sequence[exp.Expr], what: str) -> Type:
        """The one type ``typed`` values share, a RuleError at the first that does not fit."""
        for end in range(2, len(typed) + 1):
            if common_type_of(typed[:end]) is None:
                kinds = f"{typed[0].type} and {typed[end - 1].type}"
                raise self.error(
                    f"{what} mixes {kinds} ({_show(syntax[end - 1])})", syntax[end - 1]
                )
        return common_type_of(typed) or Type.NULL

    def compare(self, op: str, left: exp.Expr, right: exp.Expr) -> Node:
        """``left op right`` with both sides converted to their common type."""
        for side in (left, right):
            if isinstance(_unparen(side), exp.Null):
                raise self.error(
                    f"comparing with NULL ({op} NULL) is never true: use IS NULL or IS NOT NULL",
                    side,
                )
        typed = [self.expr(left), self.expr(right)]
        target = common_type_of(typed)
        if target is None:
            raise self.error(
                f"cannot compare {_show(left)} ({typed[0].type}) "
                f"with {_show(right)} ({typed[1].type})",
                right,
            )
        return Compare(
            Type.BOOL, op, self.coerce(typed[0], target, left), self.coerce(typed[1], target, right)
        )

    def field(self, node: exp.Column) -> Node:
        """A declared profile field, or a RuleError with a did-you-mean."""
        if node.table:
            raise self.error(f"write the field name alone, not {_show(node)}", node)
        ident = node.this
        name = ident.this if getattr(ident, "quoted", False) else node.name.lower()
        if name not in self.schema.names:
            raise self.error(self._unknown_field(name), node)
        self.fields.add(name)
        return Field(_FIELD_TYPES[self.schema.type_of(name)], name)

    def _unknown_field(self, name: str) -> str:
        message = f"unknown field {name!r}"
        if name in RESERVED_FIELDS:
            return message + (
                ": it is a customer flag, not a profile field; contact policy already "
                "applies do-not-market, blacklist, VIP and open complaints"
            )
        if name in ("today", "now", "current_timestamp"):
            return message + ": write CURRENT_DATE for the as-of date"
        close = difflib.get_close_matches(name, self.schema.names, n=1, cutoff=0.6)
        if close:
            return message + f" (did you mean {close[0]!r}?)"
        return message + f"; declared fields: {', '.join(self.schema.names)}"


def _show(node: exp.Expr) -> str:
    text: str = node.sql()
    return text if len(text) <= 40 else text[:37] + "..."


def _unparen(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _negated(node: exp.Expr, typed: Node) -> Node:
    return Not(Type.BOOL, typed) if node.args.get("negate") else typed


def _logic(checker: Checker, node: exp.Expr) -> Node:
    kind = type(node)
    parts: list[exp.Expr] = []
    pending = [node]
    while pending:
        current = _unparen(pending.pop())
        if type(current) is kind:
            pending.extend([current.expression, current.this])
        else:
            parts.append(current)
    op = "and" if kind is exp.And else "or"
    return Logic(Type.BOOL, op, tuple(checker.condition(part) for part in parts))


def _not(checker: Checker, node: exp.Expr) -> Node:
    return Not(Type.BOOL, checker.condition(node.this))


def _paren(checker: Checker, node: exp.Expr) -> Node:
    return checker.expr(node.this)


def _is(checker: Checker, node: exp.Expr) -> Node:
    target = node.expression
    if isinstance(target, exp.Null):
        return IsNull(Type.BOOL, checker.expr(node.this))
    if isinstance(target, exp.Boolean):
        typed = checker.condition(node.this)
        value = typed if target.this else Not(Type.BOOL, typed)
        return Coalesce(Type.BOOL, (value, Const(Type.BOOL, False)))
    raise checker.error("IS must be followed by NULL, NOT NULL, TRUE or FALSE", node.expression)


def _in(checker: Checker, node: exp.Expr) -> Node:
    if node.args.get("query") or node.args.get("unnest") or node.args.get("field"):
        raise checker.error("IN takes a list of values, not a subquery or table", node)
    syntax = [node.this, *node.expressions]
    if len(syntax) < 2:
        raise checker.error("IN needs at least one value", node)
    typed = [checker.expr(part) for part in syntax]
    target = checker.unify(typed, syntax, "IN")
    arg, *items = (checker.coerce(t, target, s) for t, s in zip(typed, syntax, strict=True))
    return _negated(node, InList(Type.BOOL, arg, tuple(items)))


def _between(checker: Checker, node: exp.Expr) -> Node:
    low = checker.compare(">=", node.this, node.args["low"])
    high = checker.compare("<=", node.this, node.args["high"])
    return _negated(node, Logic(Type.BOOL, "and", (low, high)))


def _like(checker: Checker, node: exp.Expr, escape: str = "\\") -> Node:
    subject = checker.expr(node.this)
    if subject.type not in (Type.STR, Type.NULL):
        raise checker.error(f"LIKE needs text, but {_show(node.this)} is {subject.type}", node)
    pattern = _unparen(node.expression)
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        raise checker.error("LIKE needs a quoted pattern such as 'VIP%'", node.expression)
    try:
        parsed = parse_like(pattern.this, escape)
    except ValueError as exc:
        raise checker.error(str(exc), pattern) from None
    typed = Like(Type.BOOL, checker.coerce(subject, Type.STR, node.this), parsed)
    return _negated(node, typed)


def _escape(checker: Checker, node: exp.Expr) -> Node:
    like, escape = node.this, _unparen(node.expression)
    if not isinstance(like, exp.Like):
        raise checker.error("ESCAPE belongs to LIKE", node)
    if not (isinstance(escape, exp.Literal) and escape.is_string and len(escape.this) == 1):
        raise checker.error("ESCAPE needs one quoted character, e.g. ESCAPE '!'", node.expression)
    return _like(checker, like, escape.this)


def _case(checker: Checker, node: exp.Expr) -> Node:
    ifs: list[exp.If] = node.args.get("ifs") or []
    subject = node.this
    conditions = [
        checker.compare("=", subject, branch.this) if subject else checker.condition(branch.this)
        for branch in ifs
    ]
    syntax = [branch.args["true"] for branch in ifs]
    default = node.args.get("default")
    values = [checker.expr(value) for value in syntax]
    default_typed = checker.expr(default) if default is not None else Const(Type.NULL, None)
    target = checker.unify([*values, default_typed], [*syntax, default or node], "CASE")
    values = [checker.coerce(v, target, s) for v, s in zip(values, syntax, strict=True)]
    return Case(
        target,
        tuple(zip(conditions, values, strict=True)),
        checker.coerce(default_typed, target, default or node),
    )


def _coalesce(checker: Checker, node: exp.Expr) -> Node:
    syntax = [node.this, *node.expressions]
    typed = [checker.expr(part) for part in syntax]
    target = checker.unify(typed, syntax, "COALESCE")
    args = tuple(checker.coerce(t, target, s) for t, s in zip(typed, syntax, strict=True))
    return args[0] if len(args) == 1 else Coalesce(target, args)


_HANDLERS: dict[type[exp.Expr], Callable[[Checker, exp.Expr], Node]] = {
    exp.And: _logic,
    exp.Or: _logic,
    exp.Not: _not,
    exp.Paren: _paren,
    exp.Is: _is,
    exp.In: _in,
    exp.Between: _between,
    exp.Like: _like,
    exp.Escape: _escape,
    exp.Case: _case,
    exp.Coalesce: _coalesce,
    exp.Column: lambda checker, node: checker.field(node),  # type: ignore[arg-type]
}
