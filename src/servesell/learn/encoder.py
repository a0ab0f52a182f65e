"""A feature space's encoder compiled for its schema: one flat function, no per-field calls.

:meth:`FeatureSpace.encode <servesell.learn.features.FeatureSpace.encode>` runs on every
prediction and every online update, so its cost bounds how fast the model learns
(``bench/learn.py``, ``updates_per_s``). A generic loop over the fields spends most of its
time on Python calls, so :func:`compile_encoder` writes one function per schema with
each field's common case inline: an ``int`` or finite ``float`` is one ``bisect`` into
its bins, a ``date`` one subtraction of ordinals, a missing number or date its field's
"missing" feature, a text or flag value one lookup in a
bounded memo keyed by the value itself. Anything else (a missing value, a NaN, a value of
an unexpected type) goes to the field's reference encoder, the one
:class:`~servesell.learn.features.FeatureSpace` defines, so the compiled function gives
exactly the reference's features (``tests/learn/test_fast_path.py`` compares them).

The memos are keyed by values, never by customers: a changed profile simply reads other
keys, and nothing needs invalidating. Held-product sets are memoised the same way (a
frozenset of product codes to its ids), up to :data:`MEMO_LIMIT` entries each.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from typing import TYPE_CHECKING, Any

from servesell.domain.schema import FieldType

if TYPE_CHECKING:
    from collections.abc import Callable

    from servesell.domain.center import CallContext
    from servesell.domain.customer import Customer
    from servesell.learn.features import FeatureSpace, SparseRow

    Encoder = Callable[[Customer, CallContext], SparseRow]
    HeldRow = tuple[list[int], list[float]]

REASON = "<reason>"
"""The key of the call reason's reference encoder (no profile field can be named so)."""
MEMO_LIMIT = 4096
"""Most values (or held-product sets) one memo keeps; past it, values are encoded anew."""
CUSTOMER_MEMO_LIMIT = 32_768
"""Most customers whose profile part of the row is kept; when full, the memo starts afresh."""


def compile_encoder(space: FeatureSpace) -> Encoder:
    """The encoder of ``space`` as one generated function (same rows as the reference)."""
    names: dict[str, Any] = {"bisect_right": bisect_right, "date": dt.date, "LIMIT": MEMO_LIMIT}
    names["customers"] = {}
    names["CUSTOMER_LIMIT"] = CUSTOMER_MEMO_LIMIT
    lines = [
        "def encode(customer, context):",
        "    day = context.at.toordinal()",
        "    seen = customers.get(customer.id)",
        "    if seen is not None and seen[3] == day and (",
        "        seen[0] is customer",
        "        or (seen[1] == customer.attributes and seen[2] == customer.holdings)",
        "    ):",
        "        ids, values = seen[4], seen[5]",
        "    else:",
        "        attributes = customer.attributes",
        "        h = customer.holdings",
        "        ids, values = profile(customer, context, attributes, h)",
        "        if len(customers) >= CUSTOMER_LIMIT:",
        "            customers.clear()",
        "        customers[customer.id] = (customer, attributes, h, day, ids, values)",
        "    r = reasons.get(context.reason)",
        "    if r is None:",
        "        r = reason(context.reason, None)",
        "        if len(reasons) < LIMIT:",
        "            reasons[context.reason] = r",
        "    return [*ids, r], [*values, 1.0]",
        "",
        "def profile(customer, context, attributes, h):",
        "    get = attributes.get",
    ]
    outs = []
    for k, spec in enumerate(space.schema.fields):
        names[f"slow{k}"] = space.field_encoder(spec.name)
        lines.append(f"    v = get({spec.name!r})")
        lines.extend(_field_lines(k, spec.type, space, spec.name, names))
        outs.append(f"f{k}")
    held_memo: dict[frozenset[str], HeldRow] = {}
    names["held_memo"] = held_memo
    names["holdings"] = _holdings_memo(space, held_memo)
    names["reason"] = space.field_encoder(REASON)
    names["reasons"] = {}
    lines += [
        "    found = held_memo.get(h)",
        "    held, scales = holdings(h) if found is None else found",
        f"    return (0, {', '.join(outs)}, *held), ({'1.0, ' * (len(outs) + 1)}*scales)",
    ]
    exec("\n".join(lines), names)  # the source names fields only as validated literals
    encode: Encoder = names["encode"]
    return encode


def _field_lines(
    k: int, kind: FieldType, space: FeatureSpace, name: str, names: dict[str, Any]
) -> list[str]:
    """Source that sets ``f{k}`` from the value ``v`` of field ``k``."""
    slow = f"slow{k}(v, context.at.date())"
    if kind in (FieldType.INT, FieldType.FLOAT, FieldType.DATE):
        names[f"edges{k}"], names[f"bins{k}"] = space.bins(name)
        names[f"missing{k}"] = space.feature(f"{name}?")
        if kind is FieldType.DATE:
            return [
                "    if v.__class__ is date:",
                f"        f{k} = bins{k}[bisect_right(edges{k}, "
                "context.at.toordinal() - v.toordinal())]",
                "    elif v is None:",
                f"        f{k} = missing{k}",
                "    else:",
                f"        f{k} = {slow}",
            ]
        return [
            "    c = v.__class__",
            "    if c is int or (c is float and v == v):",
            f"        f{k} = bins{k}[bisect_right(edges{k}, v)]",
            "    elif v is None:",
            f"        f{k} = missing{k}",
            "    else:",
            f"        f{k} = {slow}",
        ]
    if kind is FieldType.BOOL:
        names[f"flags{k}"] = space.flags(name)
        return [f"    f{k} = flags{k}[v] if v.__class__ is bool else {slow}"]
    names[f"memo{k}"] = {}
    return [
        f"    f{k} = memo{k}.get(v) if v.__class__ is not float else None",
        f"    if f{k} is None:",
        f"        f{k} = {slow}",
        f"        if v.__class__ is not float and len(memo{k}) < LIMIT:",
        f"            memo{k}[v] = f{k}",
    ]


def _holdings_memo(
    space: FeatureSpace, memo: dict[frozenset[str], HeldRow]
) -> Callable[[frozenset[str]], HeldRow]:
    """Held products to their ids and values, filling ``memo`` (read inline by the encoder)."""

    def holdings(held: frozenset[str]) -> HeldRow:
        found = memo.get(held)
        if found is None:
            found = space.holdings_row(held)
            if len(memo) < MEMO_LIMIT:
                memo[held] = found
        return found

    return holdings
