"""A realistic synthetic contact center (a card-issuing bank), seeded and reproducible.

Used by the demo, the tests and the benchmarks: customers with a declared profile,
an offer catalog, intraday inbound traffic, staff, and latent true acceptance
propensities so learned models can be scored against the truth.
"""

from servesell.synth.catalog import (
    bank_catalog_path,
    bank_schema_path,
    bank_templates_path,
    brand_journeys_path,
)
from servesell.synth.center import generate_staff, staff_for
from servesell.synth.customers import CustomerFlags, generate_customers
from servesell.synth.traffic import TrafficProfile, generate_calls
from servesell.synth.truth import LatentPropensity, customer_features

__all__ = [
    "CustomerFlags",
    "LatentPropensity",
    "TrafficProfile",
    "bank_catalog_path",
    "bank_schema_path",
    "bank_templates_path",
    "brand_journeys_path",
    "customer_features",
    "generate_calls",
    "generate_customers",
    "generate_staff",
    "staff_for",
]
