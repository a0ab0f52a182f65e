"""Product associations from what customers already hold: product → product rules.

For every ordered pair of products A → B: *support* is the share of customers holding
both, *confidence* the share of A-holders who also hold B, and *lift* confidence over
B's overall share (above 1: A-holders take B more than the average customer). The rules
serve analysts (``servesell model associations``) and models: :meth:`Associations.score`
turns a customer's holdings into an affinity for a product.

>>> baskets = [frozenset({"card", "loan"}), frozenset({"card", "loan"}), frozenset({"card"}),
...            frozenset({"deposit"})]
>>> rules = Associations.fit(baskets, min_support=0.25)
>>> r = rules.rule("loan", "card")
>>> (r.support, r.confidence, round(r.lift, 3))
(0.5, 1.0, 1.333)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from itertools import pairwise, permutations
from typing import Any


@dataclass(frozen=True, slots=True)
class Rule:
    """``antecedent → consequent`` with its support, confidence, lift and customer count."""

    antecedent: str
    consequent: str
    count: int
    support: float
    confidence: float
    lift: float

    def describe(self) -> str:
        """The rule in words, as a supervisor reads it.

        >>> Rule("platinum_card", "wealth_product", 80, 0.02, 0.3, 2.46).describe()
        'customers who hold platinum_card take wealth_product 2.5× more often (80 customers)'
        """
        return (
            f"customers who hold {self.antecedent} take {self.consequent} "
            f"{self.lift:.1f}× more often ({self.count} customers)"
        )


@dataclass(frozen=True)
class Associations:
    """Every product → product rule above a minimum support, from ``customers`` baskets."""

    customers: int
    shares: dict[str, float]
    rules: tuple[Rule, ...]

    @classmethod
    def fit(cls, baskets: Iterable[frozenset[str]], *, min_support: float = 0.01) -> Associations:
        """Count single products and pairs over ``baskets`` (one per customer)."""
        if not 0.0 <= min_support <= 1.0:
            raise ValueError(f"min_support must be in [0, 1], got {min_support}")
        singles: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        n = 0
        for basket in baskets:
            n += 1
            singles.update(basket)
            pairs.update(permutations(sorted(basket), 2))
        if n == 0:
            return cls(0, {}, ())
        rules = [
            _rule(a, b, count, n, singles)
            for (a, b), count in pairs.items()
            if count / n >= min_support
        ]
        rules.sort(key=lambda r: (-r.lift, -r.support, r.antecedent, r.consequent))
        return cls(n, {p: c / n for p, c in sorted(singles.items())}, tuple(rules))

    def rule(self, antecedent: str, consequent: str) -> Rule | None:
        """The rule ``antecedent → consequent``, if it reached the minimum support."""
        return self._index().get((antecedent, consequent))

    def score(self, holdings: Iterable[str], product: str) -> float:
        """Affinity for ``product`` given ``holdings``: the highest lift into it, else 1."""
        index = self._index()
        lifts = [r.lift for held in holdings if (r := index.get((held, product))) is not None]
        return max(lifts, default=1.0)

    def strongest(
        self, holdings: Iterable[str], product: str, *, min_count: int = 30
    ) -> Rule | None:
        """The rule with the highest lift into ``product`` from ``holdings`` with enough evidence.

        ``min_count`` is the least number of customers holding both: a lift seen on a
        handful of customers is noise, not a pattern.
        """
        index = self._index()
        rules = [
            r
            for held in holdings
            if (r := index.get((held, product))) is not None and r.count >= min_count
        ]
        return max(rules, key=lambda r: (r.lift, r.antecedent), default=None)

    def state(self) -> dict[str, Any]:
        """Plain data to store with a model (see :meth:`from_state`)."""
        return {
            "customers": self.customers,
            "shares": dict(self.shares),
            "rules": [asdict(r) for r in self.rules],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Associations:
        """Rebuild what :meth:`state` saved."""
        rules = tuple(Rule(**r) for r in state["rules"])
        return cls(int(state["customers"]), dict(state["shares"]), rules)

    def _index(self) -> dict[tuple[str, str], Rule]:
        cached: dict[tuple[str, str], Rule] | None = self.__dict__.get("_by_pair")
        if cached is None:
            cached = {(r.antecedent, r.consequent): r for r in self.rules}
            object.__setattr__(self, "_by_pair", cached)
        return cached


def _rule(a: str, b: str, count: int, n: int, singles: Counter[str]) -> Rule:
    confidence = count / singles[a]
    return Rule(a, b, count, count / n, confidence, confidence / (singles[b] / n))


MAX_AFFINITY = 3.0
"""The most an association may multiply an offer's context weight by."""
LIFT_EDGES = (0.8, 1.25, 2.0, 3.0)
"""Bins of an association's lift, as a feature of the propensity model."""


def lift_bin(lift: float) -> str:
    """``<0.8``, ``[0.8,1.25)``, ... ``>=3`` for a rule's lift.

    >>> lift_bin(2.46), lift_bin(0.5), lift_bin(3.0)
    ('[2,3)', '<0.8', '>=3')
    """
    edges = LIFT_EDGES
    if lift < edges[0]:
        return f"<{edges[0]:g}"
    for lo, hi in pairwise(edges):
        if lift < hi:
            return f"[{lo:g},{hi:g})"
    return f">={edges[-1]:g}"
