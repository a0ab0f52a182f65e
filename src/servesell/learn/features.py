"""Sparse binary features of a customer on a call, fast enough for every online update.

Each declared profile field becomes one active feature: numbers and dates (as an age in
days at the call) fall into a bin, text and booleans into a category, a missing value
into the field's own "missing" feature. Held products share one feature group whose
values are scaled by ``1/sqrt(count)``, and the call reason is one more field. Every
customer therefore has the same squared norm (:attr:`FeatureSpace.norm2`), which lets a
learner start a new offer at exactly its declared prior for everybody.

Feature names read like ``age[20,50)``, ``segment=mass`` or ``income?`` (missing).
Feature ids are allocated from a vocabulary that grows on first sight (bounded per field)
and is part of the saved state, so ids are stable across processes.

>>> import datetime as dt
>>> from servesell.domain import CallContext, Customer, ProfileSchema
>>> space = FeatureSpace(ProfileSchema.from_mapping({"age": "int", "segment": "str"}))
>>> ctx = CallContext(at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC), reason="billing")
>>> ids, values = space.encode(Customer("C1", {"age": 35, "segment": "mass"}), ctx)
>>> [space.name_of(i) for i in ids]
['bias', 'age[20,50)', 'segment=mass', 'holds:<none>', 'reason=billing']
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from servesell.domain.schema import FieldType, ProfileSchema
from servesell.learn.encoder import REASON, compile_encoder

if TYPE_CHECKING:
    from servesell.domain.center import CallContext
    from servesell.domain.customer import Customer

SparseRow = tuple[list[int], list[float]]
"""Active feature ids and their values (1.0 except for the holdings group)."""

LADDER = tuple(
    sorted({s * m * 10.0**e for s in (-1, 1) for m in (1, 2, 5) for e in range(10)} | {0.0})
)
"""Default edges for numbers when no sample was fitted: a signed 1-2-5 log ladder."""
AGE_DAYS = (0.0, 1, 7, 30, 90, 180, 365, 730, 1825, 3650, 7300)
"""Default edges for dates, as the age in days at the call."""
BIAS = "bias"
_HOLDS_NONE = "holds:<none>"


class FeatureSpace:
    """Maps a customer and call context to a :data:`SparseRow` over a growing vocabulary."""

    def __init__(
        self,
        schema: ProfileSchema,
        *,
        edges: Mapping[str, Sequence[float]] | None = None,
        max_categories: int = 64,
        max_products: int = 256,
    ) -> None:
        if max_categories < 1 or max_products < 1:
            raise ValueError(
                f"max_categories and max_products must be at least 1, "
                f"got {max_categories} and {max_products}"
            )
        self.schema = schema
        self.edges = {k: tuple(float(e) for e in v) for k, v in (edges or {}).items()}
        self.max_categories = max_categories
        self.max_products = max_products
        self.vocabulary: dict[str, int] = {}
        self.groups: list[int] = []
        """Per feature id, the index of its field (-1 for the bias): shared by learners."""
        self._fields: dict[str, int] = {}
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._products: dict[str, int] = {}
        self._index(BIAS)
        self._bins: dict[str, tuple[tuple[float, ...], list[int]]] = {}
        self._flags: dict[str, dict[bool, int]] = {}
        self._encoders = {spec.name: self._encoder(spec.name, spec.type) for spec in schema.fields}
        self._encoders[REASON] = self._categorical("reason")
        self.norm2 = float(len(schema.fields) + 3)
        """Squared norm of every encoded row: bias, fields, holdings group, reason."""
        self.unit_prefix = len(schema.fields) + 1
        """How many leading values of every encoded row are 1.0: the bias and the fields."""
        self._encode = self.encoder = compile_encoder(self)
        """:meth:`encode` itself, the compiled function (a hot caller saves a call)."""

    @classmethod
    def fit(
        cls,
        schema: ProfileSchema,
        customers: Iterable[Customer],
        *,
        at: dt.date,
        bins: int = 10,
        **options: Any,
    ) -> FeatureSpace:
        """A space whose number and date bins are quantiles of ``customers`` (a sample)."""
        if bins < 2:
            raise ValueError(f"bins must be at least 2, got {bins}")
        numeric = [s.name for s in schema.fields if s.type in _BINNED]
        values: dict[str, list[float]] = {name: [] for name in numeric}
        for customer in customers:
            for name in numeric:
                x = _number(customer.attributes.get(name), at)
                if x is not None:
                    values[name].append(x)
        edges = {name: _quantile_edges(xs, bins) for name, xs in values.items() if xs}
        return cls(schema, edges=edges, **options)

    @property
    def size(self) -> int:
        """How many feature ids have been allocated."""
        return len(self.vocabulary)

    def encode(self, customer: Customer, context: CallContext) -> SparseRow:
        """Active feature ids and values of ``customer`` on this call.

        Runs the encoder compiled for the schema (:mod:`servesell.learn.encoder`), which
        gives the rows of :meth:`encode_reference` faster.
        """
        return self._encode(customer, context)

    def encode_reference(self, customer: Customer, context: CallContext) -> SparseRow:
        """What :meth:`encode` gives, field by field: the definition the fast path follows."""
        get = customer.attributes.get
        day = context.at.date()
        fields = self.schema.fields
        ids = [0, *[self._encoders[spec.name](get(spec.name), day) for spec in fields]]
        values = [1.0] * len(ids)
        held, scales = self.holdings_row(customer.holdings)
        ids += held
        values += scales
        ids.append(self._encoders[REASON](context.reason, day))
        values.append(1.0)
        return ids, values

    def holdings_row(self, held: frozenset[str]) -> tuple[list[int], list[float]]:
        """The ids and values of a set of held products (``1/sqrt(count)`` each)."""
        if not held:
            return [self._index(_HOLDS_NONE)], [1.0]
        scale = 1.0 / math.sqrt(len(held))
        return [self._product(name) for name in sorted(held)], [scale] * len(held)

    def field_encoder(self, name: str) -> Callable[[Any, dt.date], int]:
        """The reference encoder of profile field ``name`` (or :data:`REASON`): value to id."""
        return self._encoders[name]

    def bins(self, name: str) -> tuple[tuple[float, ...], list[int]]:
        """The bin edges of number or date field ``name`` and the ids of its bins."""
        return self._bins[name]

    def flags(self, name: str) -> dict[bool, int]:
        """The ids of ``True`` and ``False`` in flag field ``name``."""
        return self._flags[name]

    def feature(self, token: str) -> int:
        """The id of a feature outside the profile (``assoc:lift[2,3)``), made on first use."""
        return self._index(token)

    def name_of(self, feature_id: int) -> str:
        """The readable name of a feature id (``age[20,50)``, ``segment=mass``, ...)."""
        names = self.__dict__.get("_names")
        if names is None or len(names) != len(self.vocabulary):
            names = {i: n for n, i in self.vocabulary.items()}
            self.__dict__["_names"] = names
        return str(names[feature_id])

    def state(self) -> dict[str, Any]:
        """JSON-serialisable state: schema, bin edges, limits and the vocabulary."""
        return {
            "schema": self.schema.to_mapping(),
            "edges": {k: list(v) for k, v in self.edges.items()},
            "max_categories": self.max_categories,
            "max_products": self.max_products,
            "vocabulary": dict(self.vocabulary),
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> FeatureSpace:
        """Rebuild a space saved by :meth:`state`, with the same feature ids."""
        space = cls(
            ProfileSchema.from_mapping(state["schema"]),
            edges=state["edges"],
            max_categories=int(state["max_categories"]),
            max_products=int(state["max_products"]),
        )
        space.vocabulary = {str(k): int(v) for k, v in state["vocabulary"].items()}
        space._counts = _field_counts(space.vocabulary)
        space._fields.clear()
        space.groups[:] = [space._group(t) for t, _ in sorted(space.vocabulary.items(), key=_id)]
        space._encode = space.encoder = compile_encoder(space)  # memos die with the vocabulary
        return space

    def __getstate__(self) -> dict[str, Any]:
        return self.state()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(FeatureSpace.from_state(state).__dict__)

    def _encoder(self, name: str, kind: FieldType) -> Callable[[Any, dt.date], int]:
        if kind in _BINNED:
            default = AGE_DAYS if kind is FieldType.DATE else LADDER
            return self._binned(name, self.edges.get(name, default))
        if kind is FieldType.BOOL:
            ids = {True: self._index(f"{name}=true"), False: self._index(f"{name}=false")}
            missing = self._index(f"{name}?")
            self._flags[name] = ids
            return lambda v, _day: ids[v] if v.__class__ is bool else missing
        return self._categorical(name)

    def _categorical(self, name: str) -> Callable[[Any, dt.date], int]:
        missing = self._index(f"{name}?")
        seen: dict[Any, int] = {}
        category = self._category
        cache_limit = 4 * self.max_categories

        def encode(value: Any, _day: dt.date) -> int:
            found = seen.get(value)
            if found is None:
                found = missing if value is None else category(name, str(value))
                if len(seen) < cache_limit:
                    seen[value] = found
            return found

        return encode

    def _binned(self, name: str, edges: Sequence[float]) -> Callable[[Any, dt.date], int]:
        ids = [self._index(name + label) for label in _bin_labels(edges)]
        missing = self._index(f"{name}?")
        self._bins[name] = (tuple(edges), ids)

        def encode(value: Any, day: dt.date) -> int:
            kind = value.__class__
            if kind is int or (kind is float and not math.isnan(value)):
                return ids[bisect_right(edges, value)]
            x = _number(value, day)
            return missing if x is None else ids[bisect_right(edges, x)]

        return encode

    def _category(self, name: str, value: str) -> int:
        found = self.vocabulary.get(f"{name}={value}")
        if found is not None:
            return found
        if self._counts.get(name, 0) >= self.max_categories:
            return self._index(f"{name}=<other>")
        return self._index(f"{name}={value}", group=name)

    def _product(self, product: str) -> int:
        found = self._products.get(product)
        if found is None:
            found = self._products[product] = self._new_product(product)
        return found

    def _new_product(self, product: str) -> int:
        found = self.vocabulary.get(f"holds:{product}")
        if found is not None:
            return found
        if self._counts.get("holds", 0) >= self.max_products:
            return self._index("holds:<other>")
        return self._index(f"holds:{product}", group="holds")

    def _index(self, token: str, group: str | None = None) -> int:
        found = self.vocabulary.get(token)
        if found is not None:
            return found
        with self._lock:
            if token not in self.vocabulary:
                self.vocabulary[token] = len(self.vocabulary)
                self.groups.append(self._group(token))
                if group is not None:
                    self._counts[group] = self._counts.get(group, 0) + 1
            return self.vocabulary[token]

    def _group(self, token: str) -> int:
        """The index of ``token``'s field (``age[20,50)``: age; ``holds:x``: holds)."""
        if token == BIAS:
            return -1
        name = _FIELD.match(token)
        return self._fields.setdefault(name.group(0) if name else token, len(self._fields))


_BINNED = (FieldType.INT, FieldType.FLOAT, FieldType.DATE)
_FIELD = re.compile(r"[a-z_][a-z0-9_]*")
"""The field name a feature token starts with (profile field names are written so)."""


def _id(item: tuple[str, int]) -> int:
    return item[1]


def _number(value: Any, day: dt.date) -> float | None:
    """A binnable number: numbers as they are, dates as their age in days."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dt.date):
        return float((day - value).days)
    return None


def _bin_labels(edges: Sequence[float]) -> list[str]:
    """``<e0``, ``[e0,e1)``, ..., ``>=en`` for the bins between ``edges``."""
    if not edges:
        return ["[all]"]
    inner = [f"[{lo:g},{hi:g})" for lo, hi in pairwise(edges)]
    return [f"<{edges[0]:g}", *inner, f">={edges[-1]:g}"]


def _quantile_edges(values: list[float], bins: int) -> tuple[float, ...]:
    ordered = sorted(values)
    n = len(ordered)
    cuts = {ordered[min(n - 1, (n * k) // bins)] for k in range(1, bins)}
    return tuple(sorted(cuts))


def _field_counts(vocabulary: Mapping[str, int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for token in vocabulary:
        if token.startswith("holds:") and not token.startswith("holds:<"):
            counts["holds"] = counts.get("holds", 0) + 1
        elif "=" in token and not token.endswith("=<other>"):
            name = token.split("=", 1)[0]
            if f"{name}=true" not in vocabulary:
                counts[name] = counts.get(name, 0) + 1
    return counts
