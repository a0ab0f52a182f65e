"""Rules of a whole offer catalog: check every one, or compile them all.

>>> from servesell.domain import ProfileSchema
>>> schema = ProfileSchema.from_mapping({"age": "int"})
>>> [e.offer_id for e in validate_catalog([{"id": "a", "rule": "age > 1"},
...                                        {"id": "b", "rule": "agee > 1"}], schema)]
['b']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from servesell.domain.offer import Offer
from servesell.errors import RuleError
from servesell.rules.compiled import CompiledRule, compile_rule

if TYPE_CHECKING:
    from servesell.domain.schema import ProfileSchema

RuleSource = Offer | Mapping[str, Any]
"""An offer, or an offer's plain data as read from YAML (``id`` and ``rule`` keys)."""


def validate_catalog(
    offers: Iterable[RuleSource | object], schema: ProfileSchema
) -> list[RuleError]:
    """Every rule error in ``offers`` (not only the first), each naming its offer."""
    return [error for offer in offers if (error := check_offer(offer, schema)) is not None]


def check_offer(offer: RuleSource | object, schema: ProfileSchema) -> RuleError | None:
    """The error in one offer's rule (or missing rule), or ``None`` when it compiles."""
    offer_id, rule = _id_and_rule(offer)
    if not isinstance(rule, str):
        message = "the offer has no rule" if rule is None else "the rule must be text"
        return RuleError(message, offer_id=offer_id)
    try:
        compile_rule(rule, schema, offer_id=offer_id)
    except RuleError as exc:
        return exc
    return None


def compile_catalog(offers: Iterable[Offer], schema: ProfileSchema) -> dict[str, CompiledRule]:
    """Each offer's compiled rule by offer id; the first :class:`RuleError` if any fails."""
    return {offer.id: compile_rule(offer.rule, schema, offer_id=offer.id) for offer in offers}


def _id_and_rule(offer: object) -> tuple[str | None, object]:
    if isinstance(offer, Offer):
        return offer.id, offer.rule
    if not isinstance(offer, Mapping):
        return None, None
    raw_id = offer.get("id")
    return (None if raw_id is None else str(raw_id)), offer.get("rule")
