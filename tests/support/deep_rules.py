"""Rules nested exactly as deep as the rule language allows, one per nesting construct."""

from __future__ import annotations

from collections.abc import Callable

from servesell.errors import RuleError
from servesell.rules.syntax import MAX_DEPTH, depth_of, parse

SHAPES: dict[str, Callable[[int], str]] = {
    "arithmetic chain": lambda n: " + ".join(["age"] * n) + " > 0",
    "parentheses": lambda n: "(" * n + "age > 0" + ")" * n,
    "NOT": lambda n: "NOT " * n + "age > 0",
    "NOT (...)": lambda n: "NOT (" * n + "age > 0" + ")" * n,
    "CASE": lambda n: "CASE WHEN age > 0 THEN " * n + "1" + " END" * n + " = 1",
    "COALESCE": lambda n: "COALESCE(" * n + "age" + ", 0)" * n + " >= 0",
    "abs()": lambda n: "abs(" * n + "age" + ")" * n + " >= 0",
    "unary minus": lambda n: "- " * n + "age <> 0",
    "dates": lambda n: "(" * n + "opened_on + INTERVAL '1' DAY" + ")" * n + " < CURRENT_DATE",
}
"""Each shape nests deeper as ``n`` grows."""


def within_limit(text: str) -> bool:
    """Whether ``text`` nests no deeper than :data:`MAX_DEPTH`."""
    try:
        return depth_of(parse(text)) <= MAX_DEPTH
    except RuleError:
        return False


def at_limit(shape: str) -> str:
    """The rule of ``shape`` with the largest ``n`` still within :data:`MAX_DEPTH`."""
    make = SHAPES[shape]
    n = 1
    while within_limit(make(n + 1)):
        n += 1
    return make(n)


def over_limit(shape: str) -> str:
    """The smallest rule of ``shape`` deeper than :data:`MAX_DEPTH`."""
    make = SHAPES[shape]
    n = 1
    while within_limit(make(n)):
        n += 1
    return make(n)


def in_deep_stack(frames: int, call: Callable[[], object]) -> object:
    """``call()`` made ``frames`` Python frames below here, as from a deep caller."""
    if frames <= 0:
        return call()
    return in_deep_stack(frames - 1, call)
