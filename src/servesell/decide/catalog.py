"""The offer catalog compiled for live calls: every rule parsed and compiled once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from servesell.rules import compile_rule

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from servesell.domain.customer import Customer
    from servesell.domain.offer import Offer
    from servesell.domain.schema import ProfileSchema
    from servesell.rules import CompiledRule


@dataclass(frozen=True, slots=True)
class CompiledOffer:
    """An offer with its eligibility rule ready to run."""

    offer: Offer
    rule: CompiledRule


class Catalog:
    """The offers of one catalog version, compiled against one profile schema."""

    def __init__(self, offers: Sequence[Offer], schema: ProfileSchema) -> None:
        self.schema = schema
        self.offers = tuple(
            CompiledOffer(o, compile_rule(o.rule, schema, offer_id=o.id)) for o in offers
        )
        self._by_id = {c.offer.id: c for c in self.offers}
        texts: dict[str, int] = {}
        self._rule_of = tuple(texts.setdefault(c.rule.text, len(texts)) for c in self.offers)
        """Per offer, the index of its rule among the catalog's distinct rule texts."""
        self._rules = tuple({c.rule.text: c.rule for c in self.offers}.values())
        self._active: (
            tuple[dt.date, tuple[tuple[CompiledOffer, int], ...], tuple[int, ...]] | None
        ) = None
        self.by_id: Mapping[str, Offer] = MappingProxyType(
            {c.offer.id: c.offer for c in self.offers}
        )
        """Every offer of the catalog by id (read-only)."""

    def __len__(self) -> int:
        return len(self.offers)

    def get(self, offer_id: str) -> CompiledOffer | None:
        """The compiled offer with ``offer_id``, or ``None``."""
        return self._by_id.get(offer_id)

    def split(self, customer: Customer, day: dt.date) -> tuple[list[CompiledOffer], list[str]]:
        """Active offers whose rule holds, and ids of active offers whose rule does not.

        An offer is active when ``offer.is_active_on(day)``; a rule that evaluates to NULL
        (SQL unknown) does not hold.
        """
        active, used = self._active_on(day)
        held: list[bool] = [False] * len(self._rules)
        for i in used:  # a rule shared by several offers runs once per call
            held[i] = self._rules[i](customer, day) is True
        eligible = [c for c, i in active if held[i]]
        ineligible = [c.offer.id for c, i in active if not held[i]]
        return eligible, ineligible

    def _active_on(
        self, day: dt.date
    ) -> tuple[tuple[tuple[CompiledOffer, int], ...], tuple[int, ...]]:
        """The offers active on ``day`` with their rule's index, and the indexes used.

        Kept for the last day asked (an offer's window is in whole days).
        """
        cached = self._active
        if cached is not None and cached[0] == day:
            return cached[1], cached[2]
        active = tuple(
            (c, i)
            for c, i in zip(self.offers, self._rule_of, strict=True)
            if c.offer.is_active_on(day)
        )
        used = tuple(sorted({i for _, i in active}))
        self._active = (day, active, used)
        return active, used
