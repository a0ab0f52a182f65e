"""``servesell rules check`` and ``servesell tag``: eligibility rules in bulk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from servesell.cli.app import PARTIAL, app, console, err_console
from servesell.cli.options import DbOption, open_database
from servesell.errors import CatalogError, InputFileError, RuleError
from servesell.ingest.catalog import catalog_entries
from servesell.ingest.customers import check_columns, parse_rows
from servesell.ingest.schema import read_schema_file
from servesell.ingest.tabular import open_table
from servesell.rules import check_offer, compile_catalog
from servesell.rules.batch import eligible_pairs
from servesell.rules.tagging import ENGINES, Engine, TagRun, run_tagging
from servesell.store import (
    clear_tags,
    count_customers,
    insert_tags,
    iter_customers,
    list_offers,
    require_schema,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from sqlalchemy import Connection
    from sqlalchemy.engine import Engine as DbEngine

    from servesell.domain.customer import Customer
    from servesell.domain.schema import ProfileSchema

rules_app = typer.Typer(help="Check eligibility rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

BATCH = 50_000
"""Customers per batch of a tagging run."""

SchemaOption = Annotated[
    Path | None,
    typer.Option("--schema", help="Profile schema YAML (default: the one in the database)."),
]


@rules_app.command("check")
def rules_check(
    file: Annotated[Path, typer.Argument(help="Offer catalog YAML (a list, or 'offers:').")],
    schema_file: SchemaOption = None,
    db: DbOption = None,
) -> None:
    """Check every offer's rule against the schema; print each error with its position."""
    schema = _schema(schema_file, db)
    entries = catalog_entries(file)
    errors = [
        error.located(source=f"{file}:{line}")
        for line, data in entries
        if (error := check_offer(data, schema)) is not None
    ]
    for error in errors:
        err_console.print(escape(str(error)), highlight=False)
    console.print(f"{escape(str(file))}: {len(entries)} rules checked, {len(errors)} invalid")
    if errors:
        raise typer.Exit(PARTIAL)


def _schema(schema_file: Path | None, db: str | None) -> ProfileSchema:
    if schema_file is not None:
        return read_schema_file(schema_file)
    with open_database(db).connect() as conn:
        return require_schema(conn)


@app.command("tag")
def tag(
    engine: Annotated[str, typer.Option(help=f"Batch engine: {' or '.join(ENGINES)}.")] = "duckdb",
    out: Annotated[
        Path | None,
        typer.Option(help="Write the matrix (id + one boolean column per offer) to parquet."),
    ] = None,
    customers: Annotated[
        Path | None,
        typer.Option(help="Tag the customers of this CSV/parquet file instead of the store."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As-of date YYYY-MM-DD (default: today, UTC).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Tag every customer with the active offers they are eligible for.

    Without ``--out`` the tags replace the previous run in the store's tags table.
    """
    if engine not in ENGINES:
        raise InputFileError(f"unknown engine {engine!r}; use {' or '.join(ENGINES)}")
    day = _as_of(as_of)
    database = open_database(db)
    with database.connect() as conn:
        schema = require_schema(conn)
        offers = [offer for offer in list_offers(conn) if offer.is_active_on(day)]
        total = None if customers else count_customers(conn)
    if not offers:
        raise CatalogError(f"no offer is active on {day}: nothing to tag")
    try:
        rules = compile_catalog(offers, schema)
    except RuleError as exc:
        raise exc.located(source="catalog in the database") from None
    rejected: list[int] = [0]
    batches = (
        _file_batches(customers, schema, rejected)
        if customers
        else _store_batches(database, schema)
    )
    run = _run(batches, rules, schema, day, engine, out, database, total)
    _summary(run, out)
    if rejected[0]:
        err_console.print(f"{rejected[0]} rows of {customers} were rejected (see servesell import)")
        raise typer.Exit(PARTIAL)


def _as_of(text: str | None) -> dt.date:
    if text is None:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputFileError(f"--as-of must be a date YYYY-MM-DD, got {text!r}") from None


def _run(
    batches: Iterator[list[Customer]],
    rules: dict[str, Any],
    schema: ProfileSchema,
    day: dt.date,
    engine: str,
    out: Path | None,
    database: DbEngine,
    total: int | None,
) -> TagRun:
    columns = (TextColumn("tagging"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with ExitStack() as stack:
        progress = stack.enter_context(Progress(*columns, console=err_console))
        task = progress.add_task("tagging", total=total)
        sink: Callable[[pa.Table], None]
        if out is not None:
            sink = stack.enter_context(_ParquetSink(out, list(rules)))
        else:
            sink = _StoreSink(stack.enter_context(database.begin()), day)
        engine_name: Engine = "python" if engine == "python" else "duckdb"
        return run_tagging(
            batches,
            rules,
            schema,
            as_of=day,
            engine=engine_name,
            sinks=[sink],
            progress=lambda n: progress.advance(task, n),
        )


def _store_batches(database: DbEngine, schema: ProfileSchema) -> Iterator[list[Customer]]:
    with database.connect() as conn:
        batch: list[Customer] = []
        for customer in iter_customers(conn, schema, batch_size=BATCH):
            batch.append(customer)
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch


def _file_batches(
    path: Path, schema: ProfileSchema, rejected: list[int]
) -> Iterator[list[Customer]]:
    table = open_table(path)
    check_columns(table, schema, ignore_unknown=True)
    batch: list[Customer] = []
    for row in parse_rows(table, schema):
        if row.customer is None:
            rejected[0] += 1
            continue
        batch.append(row.customer)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class _StoreSink:
    """Replaces the tags table with this run's eligible pairs."""

    def __init__(self, conn: Connection, day: dt.date) -> None:
        self.conn = conn
        self.day = day
        clear_tags(conn)

    def __call__(self, matrix: pa.Table) -> None:
        insert_tags(self.conn, eligible_pairs(matrix), as_of=self.day)


class _ParquetSink:
    """Appends each batch's matrix to one parquet file (an empty matrix when no customers)."""

    def __init__(self, path: Path, offer_ids: list[str]) -> None:
        self.path = path
        self.offer_ids = offer_ids
        self.writer: Any = None

    def __enter__(self) -> _ParquetSink:
        return self

    def __call__(self, matrix: pa.Table) -> None:
        import pyarrow.parquet as pq

        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, matrix.schema)
        self.writer.write_table(matrix)

    def __exit__(self, *_exc: object) -> None:
        if self.writer is None:
            import pyarrow as pa

            columns = {"id": pa.array([], pa.string())}
            columns.update({offer_id: pa.array([], pa.bool_()) for offer_id in self.offer_ids})
            self(pa.table(columns))
        self.writer.close()


def _summary(run: TagRun, out: Path | None) -> None:
    table = Table("offer", "eligible", "share", title=f"eligibility as of {run.as_of}")
    for offer_id, count in run.eligible.items():
        share = count / run.customers if run.customers else 0.0
        table.add_row(offer_id, f"{count:,}", f"{share:.1%}")
    console.print(table)
    where = escape(str(out)) if out else "the tags table"
    console.print(f"tagged {run.customers:,} customers for {len(run.eligible)} offers into {where}")
