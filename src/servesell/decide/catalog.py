"""The offer catalog compiled for live calls: every rule parsed and compiled once."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from servesell.rules import compile_rule

if TYPE_CHECKING:
    import datetime as dt
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
        eligible: list[CompiledOffer] = []
        ineligible: list[str] = []
        for compiled in self.offers:
            if not compiled.offer.is_active_on(day):
                continue
            if compiled.rule(customer, day) is True:
                eligible.append(compiled)
            else:
                ineligible.append(compiled.offer.id)
        return eligible, ineligible
