"""Hypothesis strategies for random rules (as text) and random customers.

Rules are generated per result type over the schema of :func:`support.rules.rules_schema`
and only in the rule language's documented domain: integer products take plain operands
(so 64-bit SQL integers never overflow), floats stay between 1e-6 and 1e6 in magnitude
(so no infinities), and dates move by bounded literals (so they stay in years 1-9999).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from servesell.domain import Customer

INT_FIELDS = ("age", "overdue_count_12m")
FLOAT_FIELDS = ("credit_limit", "balance")
STR_FIELDS = ("segment", "repayment_mode")
DATE_FIELDS = ("opened_on", "last_login_on")
BOOL_FIELDS = ("is_student",)
PRODUCTS = ("card", "loan", "gold_card")
TEXTS = ("", "a", "A", "b", "é", "日本", "50%", "a_b", "x'y", "\\", "Z", " a", "a ", "ß")
COMPARISONS = ("=", "<>", "!=", "<", "<=", ">", ">=")
Gen = Callable[[int], st.SearchStrategy[str]]


def agreement_settings(max_examples: int) -> settings:
    """Settings for the engine-agreement properties: many examples, no deadline."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


_text = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=6
)
text_values = st.one_of(st.sampled_from(TEXTS), _text)
int_values = st.one_of(
    st.sampled_from((0, 1, -1, 17, 1_000_000, -1_000_000)), st.integers(-1_000_000, 1_000_000)
)
_magnitudes = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)
float_values = st.one_of(
    st.sampled_from((0.0, -0.0, 0.5, 1.0, -1.0, 0.1, 0.3, 1e6)),
    _magnitudes,
    _magnitudes.map(lambda x: -x),
    st.integers(-1000, 1000).map(float),
)
date_values = st.one_of(
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
    st.dates(dt.date(2025, 12, 1), dt.date(2026, 5, 31)),
    st.sampled_from((dt.date(2024, 2, 29), dt.date(2024, 1, 31), dt.date(2026, 3, 31))),
)


def sql_text(value: str) -> str:
    """``value`` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _leaf(fields: tuple[str, ...], literals: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(fields), literals)


int_leaf = _leaf(INT_FIELDS, st.integers(-1000, 1000).map(str))
float_leaf = _leaf(FLOAT_FIELDS, float_values.map(lambda x: repr(abs(x))))
str_leaf = _leaf(STR_FIELDS, text_values.map(sql_text))
date_leaf = st.one_of(
    st.sampled_from(DATE_FIELDS),
    date_values.map(lambda d: f"DATE '{d.isoformat()}'"),
    st.just("CURRENT_DATE"),
)


def _binary(
    left: st.SearchStrategy[str], op: str, right: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    return st.tuples(left, right).map(lambda pair: f"({pair[0]} {op} {pair[1]})")


def _case(
    condition: st.SearchStrategy[str], value: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    return st.tuples(condition, value, st.one_of(value, st.just("NULL"))).map(
        lambda t: f"CASE WHEN {t[0]} THEN {t[1]} ELSE {t[2]} END"
    )


def _coalesce(value: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(value, min_size=1, max_size=3).map(lambda xs: f"COALESCE({', '.join(xs)})")


@cache
def ints(depth: int) -> st.SearchStrategy[str]:
    """Integer expressions."""
    if depth <= 0:
        return int_leaf
    sub = ints(depth - 1)
    return st.one_of(
        int_leaf,
        _binary(sub, "+", sub),
        _binary(sub, "-", sub),
        _binary(int_leaf, "*", int_leaf),
        _binary(sub, "%", sub),
        sub.map(lambda x: f"-({x})"),
        sub.map(lambda x: f"abs({x})"),
        dates(depth - 1).map(lambda x: f"days_since({x})"),
        _binary(dates(depth - 1), "-", dates(depth - 1)),
        _case(bools(depth - 1), sub),
        _coalesce(sub),
        st.just("(age + NULL)"),
    )


@cache
def floats(depth: int) -> st.SearchStrategy[str]:
    """Float expressions (ints mix in and are promoted)."""
    if depth <= 0:
        return float_leaf
    sub = st.one_of(floats(depth - 1), ints(depth - 1))
    leaf = st.one_of(float_leaf, int_leaf)
    return st.one_of(
        float_leaf,
        _binary(sub, "+", sub),
        _binary(sub, "-", sub),
        _binary(leaf, "*", leaf),
        _binary(sub, "/", sub),
        floats(depth - 1).map(lambda x: f"abs({x})"),
        _case(bools(depth - 1), floats(depth - 1)),
        _coalesce(floats(depth - 1)),
    )


@cache
def strs(depth: int) -> st.SearchStrategy[str]:
    """Text expressions."""
    if depth <= 0:
        return str_leaf
    return st.one_of(str_leaf, _case(bools(depth - 1), strs(depth - 1)), _coalesce(str_leaf))


@cache
def dates(depth: int) -> st.SearchStrategy[str]:
    """Date expressions (moved by bounded literals only)."""
    if depth <= 0:
        return date_leaf
    sub = dates(depth - 1)
    days = st.integers(-10_000, 10_000)
    unit = st.sampled_from(("DAY", "WEEK", "MONTH", "YEAR"))
    return st.one_of(
        date_leaf,
        st.tuples(sub, st.sampled_from("+-"), days).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(sub, st.sampled_from("+-"), st.integers(-60, 60), unit).map(
            lambda t: f"({t[0]} {t[1]} INTERVAL '{t[2]}' {t[3]})"
        ),
        _case(bools(depth - 1), sub),
        _coalesce(sub),
    )


_KINDS: tuple[Gen, ...] = (ints, floats, strs, dates)


@cache
def _comparison(depth: int) -> st.SearchStrategy[str]:
    def pair(kind: Gen) -> st.SearchStrategy[str]:
        return st.tuples(kind(depth), st.sampled_from(COMPARISONS), kind(depth)).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )

    mixed = st.tuples(ints(depth), st.sampled_from(COMPARISONS), floats(depth)).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    text_date = st.tuples(
        st.sampled_from(DATE_FIELDS), st.sampled_from(COMPARISONS), date_values
    ).map(lambda t: f"({t[0]} {t[1]} '{t[2].isoformat()}')")
    return st.one_of(*(pair(kind) for kind in _KINDS), mixed, text_date)


@cache
def _membership(depth: int) -> st.SearchStrategy[str]:
    def one(kind: Gen) -> st.SearchStrategy[str]:
        items = st.lists(st.one_of(kind(0), st.just("NULL")), min_size=1, max_size=4)
        return st.tuples(kind(depth), st.booleans(), items).map(
            lambda t: f"({t[0]} {'NOT ' if t[1] else ''}IN ({', '.join(t[2])}))"
        )

    return st.one_of(*(one(kind) for kind in _KINDS))


@cache
def _between(depth: int) -> st.SearchStrategy[str]:
    def one(kind: Gen) -> st.SearchStrategy[str]:
        return st.tuples(kind(depth), st.booleans(), kind(0), kind(0)).map(
            lambda t: f"({t[0]} {'NOT ' if t[1] else ''}BETWEEN {t[2]} AND {t[3]})"
        )

    return st.one_of(*(one(kind) for kind in _KINDS))


like_patterns = st.text(alphabet=st.sampled_from("a_%\\!#é日 'bZ"), max_size=6).filter(
    lambda p: not (len(p) - len(p.rstrip("\\"))) % 2
)


@cache
def _like(depth: int) -> st.SearchStrategy[str]:
    return st.tuples(strs(depth), st.booleans(), like_patterns).map(
        lambda t: f"({t[0]} {'NOT ' if t[1] else ''}LIKE {sql_text(t[2])})"
    )


bool_leaf = st.one_of(
    st.sampled_from(BOOL_FIELDS),
    st.sampled_from(("TRUE", "FALSE", "NULL")),
    st.sampled_from(PRODUCTS).map(lambda p: f"holds('{p}')"),
    st.sampled_from(INT_FIELDS + STR_FIELDS + DATE_FIELDS).map(lambda f: f"({f} IS NULL)"),
)


@cache
def bools(depth: int) -> st.SearchStrategy[str]:
    """Conditions: what a whole rule is."""
    if depth <= 0:
        return bool_leaf
    sub = bools(depth - 1)
    return st.one_of(
        bool_leaf,
        _comparison(depth - 1),
        _binary(sub, "AND", sub),
        _binary(sub, "OR", sub),
        sub.map(lambda x: f"(NOT {x})"),
        st.tuples(sub, st.sampled_from(("IS NULL", "IS NOT NULL", "IS TRUE", "IS FALSE"))).map(
            lambda t: f"({t[0]} {t[1]})"
        ),
        _membership(depth - 1),
        _between(depth - 1),
        _like(depth - 1),
        _case(sub, sub),
        _coalesce(sub),
    )


rules = bools(3)
"""Random whole rules."""


@st.composite
def customers(draw: st.DrawFn, index: int = 0) -> Customer:
    """A customer with random values, NULLs, edge values and holdings."""
    attributes: dict[str, object] = {}
    for names, values in (
        (INT_FIELDS, int_values),
        (FLOAT_FIELDS, float_values),
        (STR_FIELDS, text_values),
        (DATE_FIELDS, date_values),
        (BOOL_FIELDS, st.booleans()),
    ):
        for name in names:
            attributes[name] = draw(st.one_of(st.none(), values))
    holdings = draw(st.frozensets(st.sampled_from(PRODUCTS)))
    return Customer(f"c{index}", attributes, holdings)


@st.composite
def customer_lists(draw: st.DrawFn) -> list[Customer]:
    """A handful of customers with distinct ids."""
    count = draw(st.integers(1, 12))
    return [draw(customers(i)) for i in range(count)]
