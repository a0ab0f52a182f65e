"""A small synthetic bank in a fresh database, for API, web and CLI tests."""

from __future__ import annotations

import datetime as dt

from servesell.ingest import read_catalog, read_schema_file
from servesell.store import open_db, save_schema, upsert_customers, upsert_offers
from servesell.synth import bank_catalog_path, bank_schema_path, generate_customers

AS_OF = dt.date(2026, 3, 2)


def fill_small_bank(db_url: str, customers: int = 300, seed: int = 3) -> None:
    """Schema, the bank catalog and ``customers`` synthetic customers."""
    schema = read_schema_file(bank_schema_path())
    engine = open_db(db_url)
    with engine.begin() as conn:
        save_schema(conn, schema)
        upsert_offers(conn, read_catalog(bank_catalog_path(), schema).offers)
        upsert_customers(conn, generate_customers(customers, seed=seed, as_of=AS_OF))
    engine.dispose()
