r"""LIKE patterns, parsed once so Python and every SQL engine match the same strings.

Engines disagree on the default escape character of LIKE (PostgreSQL and Spark use a
backslash, DuckDB none), so a rule's pattern is parsed here with the rule language's
escape (backslash, or the rule's own ``ESCAPE 'c'``) into literal text and wildcards,
and each back end gets an unambiguous form: a Python matcher, and SQL text with an
explicit ``ESCAPE`` clause.

>>> pattern = parse_like(r"50\%_off%")
>>> pattern.matcher()("50%-off sale")
True
>>> pattern.sql()
('50!%_off%', '!')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

ANY = "%"
ONE = "_"
DEFAULT_ESCAPE = "\\"
_SQL_ESCAPES = "!#~^$@&\\"


@dataclass(frozen=True, slots=True)
class LikePattern:
    """A LIKE pattern as tokens: ``(True, '%'|'_')`` wildcards or ``(False, text)`` literals."""

    tokens: tuple[tuple[bool, str], ...]

    def matcher(self) -> Callable[[str], bool]:
        """A function telling whether a whole string matches (case- and accent-sensitive)."""
        shape = tuple(token if wild else "lit" for wild, token in self.tokens)
        texts = [token for wild, token in self.tokens if not wild]
        if shape == ():
            return _equals("")
        if shape == ("lit",):
            return _equals(texts[0])
        if shape == (ANY,):
            return _always
        if shape == ("lit", ANY):
            return _startswith(texts[0])
        if shape == (ANY, "lit"):
            return _endswith(texts[0])
        if shape == (ANY, "lit", ANY):
            return _contains(texts[0])
        return _regex(self.tokens)

    def sql(self) -> tuple[str, str]:
        """``(pattern, escape)`` for SQL, escaping literal ``%``, ``_`` and the escape itself."""
        literal = "".join(token for wild, token in self.tokens if not wild)
        escape = next((c for c in _SQL_ESCAPES if c not in literal), "!")
        parts = []
        for wild, token in self.tokens:
            if wild:
                parts.append(token)
            else:
                parts.append(re.sub(f"([%_{re.escape(escape)}])", rf"{escape}\1", token))
        return "".join(parts), escape


def parse_like(pattern: str, escape: str = DEFAULT_ESCAPE) -> LikePattern:
    """Parse ``pattern``; ``ValueError`` for a dangling escape or a bad escape character."""
    if len(escape) != 1:
        raise ValueError(f"ESCAPE must be a single character, got {escape!r}")
    tokens: list[tuple[bool, str]] = []
    text: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == escape:
            following = next(chars, None)
            if following is None:
                raise ValueError(f"pattern ends with the escape character {escape!r}")
            text.append(following)
        elif char in (ANY, ONE):
            if text:
                tokens.append((False, "".join(text)))
                text = []
            if not (char == ANY and tokens and tokens[-1] == (True, ANY)):
                tokens.append((True, char))
        else:
            text.append(char)
    if text:
        tokens.append((False, "".join(text)))
    return LikePattern(tuple(tokens))


def _equals(text: str) -> Callable[[str], bool]:
    return text.__eq__


def _always(_value: str) -> bool:
    return True


def _startswith(text: str) -> Callable[[str], bool]:
    def match(value: str) -> bool:
        return value.startswith(text)

    return match


def _endswith(text: str) -> Callable[[str], bool]:
    def match(value: str) -> bool:
        return value.endswith(text)

    return match


def _contains(text: str) -> Callable[[str], bool]:
    def match(value: str) -> bool:
        return text in value

    return match


def _regex(tokens: tuple[tuple[bool, str], ...]) -> Callable[[str], bool]:
    parts = {ANY: ".*", ONE: "."}
    source = "".join(parts[t] if wild else re.escape(t) for wild, t in tokens)
    compiled = re.compile(source, re.DOTALL)

    def match(value: str) -> bool:
        return compiled.fullmatch(value) is not None

    return match
