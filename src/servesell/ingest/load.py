"""Load validated files into the store: good rows committed, bad ones reported, re-runs safe."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from servesell.ingest.catalog import CatalogReport, read_catalog
from servesell.ingest.customers import (
    ParsedRow,
    check_columns,
    first_ids_only,
    parse_record,
    parse_rows,
)
from servesell.ingest.rejects import ImportReport, Reject, default_reject_path, write_rejects
from servesell.ingest.tabular import open_table
from servesell.store import require_schema, upsert_customers, upsert_offers

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
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
    accepted, rejected_rows, rejects = store_rows(engine, parse_rows(table, schema))
    target = reject_path or default_reject_path(path)
    if rejects:
        write_rejects(target, rejects)
    elif reject_path is None and target.exists():
        target.unlink()  # a stale report from an earlier run would mislead
    notes: list[str] = [f"ignored columns: {', '.join(ignored)}"] if ignored else []
    if rejects:
        notes.append(f"rejects written to {target}")
    return ImportReport(str(path), accepted, rejected_rows, tuple(rejects), tuple(notes))


def import_records(engine: Engine, records: Sequence[Any]) -> ImportReport:
    """Upsert customers given as JSON objects (the API's bulk import); same checks as files."""
    with engine.connect() as conn:
        schema = require_schema(conn)
    rows = (parse_record(f"item {i}", r, schema) for i, r in enumerate(records, start=1))
    accepted, rejected_rows, rejects = store_rows(engine, first_ids_only(rows))
    return ImportReport("request", accepted, rejected_rows, tuple(rejects))


def store_rows(engine: Engine, rows: Iterable[ParsedRow]) -> tuple[int, int, list[Reject]]:
    """Commit valid rows in batches; count and collect the rejected ones."""
    accepted, rejected_rows = 0, 0
    rejects: list[Reject] = []
    batch: list[Customer] = []
    for parsed in rows:
        if parsed.customer is None:
            rejected_rows += 1
            rejects.extend(parsed.rejects)
            continue
        batch.append(parsed.customer)
        if len(batch) >= BATCH:
            accepted += _commit(engine, batch)
    accepted += _commit(engine, batch)
    return accepted, rejected_rows, rejects


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
