"""The synthetic bank's declared schema and offer catalog, shipped as package data."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DATA = resources.files("servesell.synth") / "data"


def bank_schema_path() -> Path:
    """Path of the bank demo's profile-schema YAML."""
    return Path(str(DATA / "bank_schema.yaml"))


def brand_journeys_path() -> Path:
    """Path of the infant-formula brand's example journeys (day 3 / 15 / 25, seeds/003)."""
    return Path(str(DATA / "brand_journeys.yaml"))


def bank_catalog_path() -> Path:
    """Path of the bank demo's offer-catalog YAML."""
    return Path(str(DATA / "bank_catalog.yaml"))


def bank_templates_path() -> Path:
    """Path of the bank demo's follow-up message templates YAML."""
    return Path(str(DATA / "bank_templates.yaml"))


SCENARIOS = ("bank", "telecom", "brand400")
"""The simulation scenarios shipped with the package (``servesell simulate --scenario``)."""


def scenario_path(name: str) -> Path:
    """Path of the shipped scenario YAML ``name`` (one of :data:`SCENARIOS`)."""
    return Path(str(DATA / "scenarios" / f"{name}.yaml"))
