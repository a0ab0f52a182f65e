"""Load validated files into the store: good rows committed, bad ones reported, re-runs safe."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

from servesell.errors import StoreError
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
    from servesell.domain.values import DecimalMark

BATCH = 5000


def import_customers(
    engine: Engine,
    path: Path,
    *,
    encoding: str | None = None,
    decimal: DecimalMark = ".",
    ignore_unknown: bool = False,
    reject_path: Path | None = None,
) -> ImportReport:
    """Upsert every valid customer row of ``path``; write rejects beside it when any.

    ``encoding`` ``None`` detects UTF-8 or GB18030; ``decimal`` is the file's decimal
    mark. Rows are committed in batches as they validate, so a problem late in a large
    file never loses rows already accepted; the rejects found are written even when the
    database stops the import part way.
    """
    with engine.connect() as conn:
        schema = require_schema(conn)
    table = open_table(path, encoding=encoding, decimal=decimal)
    ignored = check_columns(table, schema, ignore_unknown=ignore_unknown)
    target = reject_path or default_reject_path(path)
    stored = StoredRows()
    try:
        store_rows(engine, parse_rows(table, schema), stored)
    finally:
        if stored.rejects:
            write_rejects(target, stored.rejects)
        elif reject_path is None and target.exists():
            target.unlink()  # a stale report from an earlier run would mislead
    notes = list(table.notes)
    if ignored:
        notes.append(f"ignored columns: {', '.join(ignored)}")
    if stored.rejects:
        notes.append(f"rejects written to {target}")
    return stored.report(str(path), notes)


def import_records(engine: Engine, records: Sequence[Any]) -> ImportReport:
    """Upsert customers given as JSON objects (the API's bulk import); same checks as files."""
    with engine.connect() as conn:
        schema = require_schema(conn)
    rows = (parse_record(f"item {i}", r, schema) for i, r in enumerate(records, start=1))
    stored = StoredRows()
    store_rows(engine, first_ids_only(rows), stored)
    return stored.report("request", [])


@dataclass
class StoredRows:
    """What an import has done so far: rows stored, rows rejected and every reason."""

    accepted: int = 0
    rejected_rows: int = 0
    rejects: list[Reject] = field(default_factory=list)

    def reject(self, reasons: Iterable[Reject]) -> None:
        """Count one rejected row with its reasons."""
        self.rejected_rows += 1
        self.rejects.extend(reasons)

    def report(self, source: str, notes: list[str]) -> ImportReport:
        """The finished import's report."""
        return ImportReport(
            source, self.accepted, self.rejected_rows, tuple(self.rejects), tuple(notes)
        )


def store_rows(engine: Engine, rows: Iterable[ParsedRow], stored: StoredRows) -> None:
    """Commit valid rows in batches into ``stored``; count and collect the rejected ones."""
    batch: list[ParsedRow] = []
    for parsed in rows:
        if parsed.customer is None:
            stored.reject(parsed.rejects)
            continue
        batch.append(parsed)
        if len(batch) >= BATCH:
            _commit(engine, batch, stored)
    _commit(engine, batch, stored)


def _commit(engine: Engine, batch: list[ParsedRow], stored: StoredRows) -> None:
    """Write ``batch`` in one transaction; if the database refuses a row, row by row."""
    if not batch:
        return
    try:
        with engine.begin() as conn:
            stored.accepted += upsert_customers(conn, _customers(batch))
    except (StatementError, UnicodeError) as exc:
        if not _is_row_error(exc):
            raise _stopped(exc, stored) from None
        _commit_row_by_row(engine, batch, stored)
    batch.clear()


def _commit_row_by_row(engine: Engine, batch: list[ParsedRow], stored: StoredRows) -> None:
    """Each row in its own savepoint: a row the database refuses becomes a reject."""
    written = 0
    try:
        with engine.begin() as conn:
            for parsed in batch:
                try:
                    with conn.begin_nested():
                        written += upsert_customers(conn, _customers([parsed]))
                except (StatementError, UnicodeError) as exc:
                    if not _is_row_error(exc):
                        raise
                    stored.reject([_refused(parsed, exc)])
    except (StatementError, UnicodeError) as exc:
        raise _stopped(exc, stored) from None
    stored.accepted += written


def _is_row_error(exc: Exception) -> bool:
    """Whether ``exc`` is about one row's values (else the database itself is at fault)."""
    if isinstance(exc, DBAPIError):
        return isinstance(exc, DataError | IntegrityError)
    return True  # a value the driver could not send (encoding, JSON serialisation)


def _customers(batch: list[ParsedRow]) -> list[Customer]:
    return [parsed.customer for parsed in batch if parsed.customer is not None]


def _refused(parsed: ParsedRow, exc: Exception) -> Reject:
    customer_id = parsed.customer.id if parsed.customer is not None else ""
    reason = f"the database refused the row: {_first_line(exc)}"
    return Reject(parsed.where, reason, "", "", customer_id)


def _stopped(exc: Exception, stored: StoredRows) -> StoreError:
    return StoreError(
        f"the database stopped the import after {stored.accepted} rows were stored "
        f"({_first_line(exc)}); fix the database and run the import again "
        "(it updates customers by id, so rows already stored are not doubled)"
    )


def _first_line(exc: Exception) -> str:
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip()
    return text.splitlines()[0] if text else type(cause).__name__


def load_catalog(engine: Engine, path: Path) -> CatalogReport:
    """Validate the catalog in ``path`` and upsert every valid offer by id."""
    with engine.connect() as conn:
        schema = require_schema(conn)
    report = read_catalog(path, schema)
    with engine.begin() as conn:
        upsert_offers(conn, report.offers)
    return report
