"""Read rule text into sqlglot's syntax tree, refusing anything that is not one expression.

A rule is a single SQL expression. Statement separators and comments are refused at the
token level, before parsing, so text such as ``1=1; DROP TABLE customers`` or a rule
hiding part of itself in a comment never reaches the parser, let alone a database.
Errors carry the 0-based character position of the offending token.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.parser import Parser
from sqlglot.tokenizer_core import TokenType
from sqlglot.tokens import Tokenizer

from servesell.errors import RuleError

if TYPE_CHECKING:
    from sqlglot.tokenizer_core import Token

MAX_LENGTH = 10_000
"""Longest rule text accepted, in characters; a rule is a condition, not a program."""
MAX_DEPTH = 24
"""Deepest nesting accepted (see :func:`servesell.rules.check.depth_of`): every engine
(Python closures, DuckDB, PostgreSQL, Spark SQL, and sqlglot generating their SQL)
walks a rule recursively, so a rule that validates must stay well within Python's
recursion limit even when called from a deep stack."""


def parse(text: str) -> exp.Expr:
    """The syntax tree of ``text``; :class:`RuleError` with a position when it is not one."""
    if not text.strip():
        raise RuleError("the rule is empty", rule=text, position=0)
    if len(text) > MAX_LENGTH:
        raise RuleError(f"the rule is longer than {MAX_LENGTH} characters", rule=text)
    tokens = _tokens(text)
    _refuse_separators_and_comments(text, tokens)
    try:
        trees = Parser(error_level=None).parse(tokens, text)
    except ParseError as exc:
        raise _parse_error(text, exc) from None
    except RecursionError:
        raise RuleError(
            f"the rule is nested too deeply (more than {MAX_DEPTH} levels)", rule=text
        ) from None
    if len(trees) != 1 or trees[0] is None:  # pragma: no cover - separators refused above
        raise RuleError("a rule is one expression", rule=text, position=0)
    _refuse_deep_nesting(text, trees[0])
    return trees[0]


def _refuse_deep_nesting(text: str, tree: exp.Expr) -> None:
    deepest = deepest_node(tree)
    if deepest is not None:
        raise RuleError(
            f"the rule is nested too deeply: more than {MAX_DEPTH} levels here (each "
            "parenthesis, NOT, CASE, function and operator of an arithmetic chain is a "
            "level; a list joined by AND or OR is one); write it flatter",
            rule=text,
            position=position(deepest),
        )


def depth_of(syntax: exp.Expr) -> int:
    """How deep ``syntax`` nests, a run of one AND or OR counting as one level."""
    return max(depth for _, depth in _levels(syntax))


def deepest_node(syntax: exp.Expr) -> exp.Expr | None:
    """The first node nested deeper than :data:`MAX_DEPTH`, or None."""
    return next((node for node, depth in _levels(syntax) if depth > MAX_DEPTH), None)


def _levels(syntax: exp.Expr) -> Iterator[tuple[exp.Expr, int]]:
    """Every node with its depth, walked without recursion (the tree may be very deep)."""
    pending = [(syntax, 1)]
    while pending:
        node, depth = pending.pop()
        yield node, depth
        for child in reversed(list(node.iter_expressions())):  # left first: source order
            flat = type(child) is type(node) and isinstance(node, exp.And | exp.Or)
            pending.append((child, depth if flat else depth + 1))


def position(node: exp.Expr | None) -> int | None:
    """0-based offset where ``node`` starts in the rule text (else where its parent does)."""
    while node is not None:
        starts: list[int] = [n.meta["start"] for n in node.walk() if "start" in n.meta]
        if starts:
            return min(starts)
        node = node.parent
    return None


def _tokens(text: str) -> list[Token]:
    try:
        return list(Tokenizer().tokenize(text))
    except TokenError as exc:
        start = getattr(exc, "start", None)
        position = _unterminated(text) if start is None else _unterminated(text, start)
        raise RuleError(
            "cannot read the rule here (unterminated quote or unknown character)",
            rule=text,
            position=position,
        ) from None


def _unterminated(text: str, start: int = 0) -> int:
    """Where an unclosed quote opens, else ``start``."""
    inside: str | None = None
    opened = start
    i = 0
    while i < len(text):
        char = text[i]
        if inside is None and char in "'\"`":
            inside, opened = char, i
        elif char == inside and text[i + 1 : i + 2] == inside:
            i += 1
        elif char == inside:
            inside = None
        i += 1
    return opened if inside is not None else start


def _refuse_separators_and_comments(text: str, tokens: list[Token]) -> None:
    end = 0
    for token in tokens:
        _refuse_comment_between(text, end, token.start)
        if token.token_type == TokenType.SEMICOLON:
            raise RuleError(
                "';' is not allowed: a rule is one expression, not statements",
                rule=text,
                position=token.start,
            )
        end = token.end + 1
    _refuse_comment_between(text, end, len(text))


def _refuse_comment_between(text: str, start: int, stop: int) -> None:
    gap = text[start:stop]
    if gap.strip():
        offset = len(gap) - len(gap.lstrip())
        raise RuleError(
            "comments are not allowed in rules (write notes in the offer's description)",
            rule=text,
            position=start + offset,
        )


def _parse_error(text: str, exc: ParseError) -> RuleError:
    first = exc.errors[0] if exc.errors else {}
    description = str(first.get("description") or "syntax error")
    line, col = first.get("line"), first.get("col")
    highlight = str(first.get("highlight") or "")
    position: int | None = None
    if isinstance(line, int) and isinstance(col, int):
        line_start = sum(len(part) + 1 for part in text.split("\n")[: line - 1])
        position = max(0, min(len(text), line_start + col - len(highlight)))
    return RuleError(_friendly(description), rule=text, position=position)


def _friendly(description: str) -> str:
    if description.startswith("Required keyword: 'expression' missing"):
        return "syntax error: an operator is missing its right-hand side"
    if description.startswith("Invalid expression / Unexpected token"):
        return "syntax error: unexpected text"
    return f"syntax error: {description}"
