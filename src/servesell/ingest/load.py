"""Load validated files into the store: good rows committed, bad ones reported, re-runs safe."""

from __future__ import annotations

from typing import TYPE_CHECKING

from servesell.ingest.catalog import CatalogReport, read_catalog
from servesell.ingest.customers import check_columns, parse_rows
from servesell.ingest.rejects import ImportReport, Reject, default_reject_path, write_rejects
from servesell.ingest.tabular import open_table
from servesell.store import require_schema, upsert_customers, upsert_offers

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine

    from servesell.domain.customer import Customer

BATCH = 5000


def import_customers(
    engine: Engine,
    path: Path,
    *,
    encoding: str = "utf-8",
    ignore_unknown: bool = False,
    reject_path: Path | None = None,
) -> ImportReport:
    """Upsert every valid customer row of ``path``; write rejects beside it when any.

    Rows are committed in batches as they validate, so a problem late in a large file
    never loses rows already accepted.
    """
    with engine.connect() as conn:
        schema = require_schema(conn)
    table = open_table(path, encoding=encoding)
    ignored = check_columns(table, schema, ignore_unknown=ignore_unknown)
    accepted, rejected_rows = 0, 0
    rejects: list[Reject] = []
    batch: list[Customer] = []
    for parsed in parse_rows(table, schema):
        if parsed.customer is None:
            rejected_rows += 1
            rejects.extend(parsed.rejects)
            continue
        batch.append(parsed.customer)
        if len(batch) >= BATCH:
            accepted += _commit(engine, batch)
    accepted += _commit(engine, batch)
    target = reject_path or default_reject_path(path)
    if rejects:
        write_rejects(target, rejects)
    elif reject_path is None and target.exists():
        target.unlink()  # a stale report from an earlier run would mislead
    notes: list[str] = [f"ignored columns: {', '.join(ignored)}"] if ignored else []
    if rejects:
        notes.append(f"rejects written to {target}")
    return ImportReport(str(path), accepted, rejected_rows, tuple(rejects), tuple(notes))


def _commit(engine: Engine, batch: list[Customer]) -> int:
    if not batch:
        return 0
    with engine.begin() as conn:
        written = upsert_customers(conn, batch)
    batch.clear()
    return written


def load_catalog(engine: Engine, path: Path) -> CatalogReport:
    """Validate the catalog in ``path`` and upsert every valid offer by id."""
    with engine.connect() as conn:
        schema = require_schema(conn)
    report = read_catalog(path, schema)
    with engine.begin() as conn:
        upsert_offers(conn, report.offers)
    return report
