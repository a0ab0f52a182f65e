"""Read and validate an offer catalog written in YAML.

The file holds a list of offers, or a mapping with an ``offers:`` list. Each offer is
validated on its own (fields, then its eligibility rule against the declared profile
schema), so one bad offer is reported with its line, id and field while the good ones
still load.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from servesell.domain.offer import Offer
from servesell.errors import CatalogError, InputFileError, RuleError, ServesellError
from servesell.ingest.yamlfile import read_yaml_nodes
from servesell.rules import compile_rule

if TYPE_CHECKING:
    from pathlib import Path

    from servesell.domain.schema import ProfileSchema


@dataclass(frozen=True, slots=True)
class CatalogReport:
    """Offers that validated, and one error per offer that did not."""

    source: str
    offers: tuple[Offer, ...]
    errors: tuple[ServesellError, ...]

    @property
    def summary(self) -> str:
        """One line for the terminal."""
        return f"{self.source}: {len(self.offers)} offers accepted, {len(self.errors)} rejected"


def read_catalog(path: Path, schema: ProfileSchema) -> CatalogReport:
    """Parse ``path`` and validate every offer in it against ``schema``."""
    items = catalog_entries(path)
    offers: list[Offer] = []
    errors: list[ServesellError] = []
    seen: dict[str, int] = {}
    for line, data in items:
        try:
            offer = validate_offer(data, schema)
        except ServesellError as exc:
            errors.append(_at_line(exc, path, line))
            continue
        if offer.id in seen:
            errors.append(
                CatalogError(
                    f"duplicate offer id (first on line {seen[offer.id]})",
                    offer_id=offer.id,
                    source=f"{path}:{line}",
                )
            )
            continue
        seen[offer.id] = line
        offers.append(offer)
    return CatalogReport(str(path), tuple(offers), tuple(errors))


def validate_offer(data: Any, schema: ProfileSchema) -> Offer:
    """One offer from plain data: fields validated, rule compiled against ``schema``."""
    offer_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(data, dict):
        raise CatalogError("an offer must be a mapping of fields")
    try:
        offer = Offer.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise CatalogError(first["msg"], offer_id=offer_id, field=field) from None
    try:
        compile_rule(offer.rule, schema, offer_id=offer.id)
    except RuleError as exc:
        raise exc.located(offer_id=offer.id) from None
    return offer


def catalog_entries(path: Path) -> list[tuple[int, Any]]:
    """``(line, offer data)`` for each offer of a catalog file (a list, or ``offers:``)."""
    node, data = read_yaml_nodes(path)
    if isinstance(data, dict) and "offers" in data and isinstance(node, yaml.MappingNode):
        node = next(v for k, v in node.value if k.value == "offers")
        data = data["offers"]
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise InputFileError(f"{path}: expected a list of offers (or 'offers:' with a list)")
    return [(item.start_mark.line + 1, value) for item, value in zip(node.value, data, strict=True)]


def _at_line(exc: ServesellError, path: Path, line: int) -> ServesellError:
    if isinstance(exc, RuleError | CatalogError):
        return exc.located(source=f"{path}:{line}")
    return CatalogError(str(exc), source=f"{path}:{line}")
