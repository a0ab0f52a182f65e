"""The synthetic worlds a simulated center can sell in: schema, catalog, customers, truth.

A world is one representation of each concept, read by the same code: the declared
profile schema and the offer catalog (package YAML, read by ``ingest``), how its
customers are drawn (a :class:`~servesell.synth.customers.Portfolio`) and what they
take up (:class:`~servesell.synth.truth.Tastes`). A scenario names its world
(``world:`` in the scenario YAML; the bank's by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from servesell.synth.brand_hotline import BRAND_PORTFOLIO, BRAND_TASTES
from servesell.synth.catalog import DATA
from servesell.synth.customers import BANK_PORTFOLIO, Portfolio
from servesell.synth.telecom import TELECOM_PORTFOLIO, TELECOM_TASTES
from servesell.synth.truth import BANK_TASTES, Tastes


@dataclass(frozen=True, slots=True)
class SyntheticWorld:
    """One synthetic business: its schema and catalog files, customers and their truth."""

    name: str
    portfolio: Portfolio
    tastes: Tastes

    @property
    def schema_path(self) -> Path:
        """Path of the world's profile-schema YAML (``<name>_schema.yaml``)."""
        return Path(str(DATA / f"{self.name}_schema.yaml"))

    @property
    def catalog_path(self) -> Path:
        """Path of the world's offer-catalog YAML (``<name>_catalog.yaml``)."""
        return Path(str(DATA / f"{self.name}_catalog.yaml"))


WORLDS = {
    "bank": SyntheticWorld("bank", BANK_PORTFOLIO, BANK_TASTES),
    "telecom": SyntheticWorld("telecom", TELECOM_PORTFOLIO, TELECOM_TASTES),
    "brand": SyntheticWorld("brand", BRAND_PORTFOLIO, BRAND_TASTES),
}
"""The shipped worlds by name (a scenario's ``world``)."""
