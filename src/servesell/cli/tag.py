"""``servesell tag``: the eligibility matrix of the active catalog, on the engine that fits.

* ``duckdb`` (default) tags in this process: customers from the store in batches, from an
  import file (CSV/parquet, validated row by row), or from parquet in the batch layout
  (``servesell export customers``), which DuckDB reads and writes directly.
* ``postgres`` runs the rules inside the PostgreSQL database that holds the customers.
* ``spark`` reads parquet in the batch layout (or the store over JDBC) on ``--master`` and
  writes the matrix as a parquet folder.
* ``python`` evaluates the live closures row by row (the reference the others agree with).
"""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from servesell.cli.app import PARTIAL, app, console, err_console
from servesell.cli.options import DbOption, open_database
from servesell.errors import CatalogError, InputFileError, RuleError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine as DbEngine

    from servesell.domain.schema import ProfileSchema
    from servesell.rules.compiled import CompiledRule
    from servesell.rules.tagging import TagRun

ENGINES = ("duckdb", "postgres", "spark", "python")
MasterOption = Annotated[
    str, typer.Option("--master", help="Spark master (local[*], spark://host:7077, yarn).")
]


@app.command("tag")
def tag(
    engine: Annotated[str, typer.Option(help=f"Batch engine: {', '.join(ENGINES)}.")] = "duckdb",
    out: Annotated[
        Path | None,
        typer.Option(help="Write the matrix (id + one boolean column per offer) to parquet."),
    ] = None,
    customers: Annotated[
        Path | None,
        typer.Option(
            help="Tag these customers instead of the store: a CSV/parquet import file, or "
            "parquet in the batch layout (a file or an export folder)."
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As-of date YYYY-MM-DD (default: today, UTC).")
    ] = None,
    master: MasterOption = "local[*]",
    db: DbOption = None,
) -> None:
    """Tag every customer with the active offers they are eligible for.

    Without ``--out`` the tags replace the previous run in the store's tags table.
    """
    if engine not in ENGINES:
        raise InputFileError(f"unknown engine {engine!r}; use {', '.join(ENGINES)}")
    day = _as_of(as_of)
    database = open_database(db)
    rejected = [0]
    try:
        schema, rules = _catalog(database, day)
        if engine == "postgres":
            run = _postgres(database, rules, schema, day, out, customers)
        elif engine == "spark":
            run = _spark(database, rules, schema, day, out, customers, master)
        elif engine == "duckdb" and customers is not None and _is_batch_layout(customers):
            run = _duck_parquet(database, rules, schema, day, out, customers)
        else:
            run = _batches(database, rules, schema, day, engine, out, customers, rejected)
    finally:
        database.dispose()
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


def _catalog(database: DbEngine, day: dt.date) -> tuple[ProfileSchema, dict[str, CompiledRule]]:
    from servesell.rules import compile_catalog
    from servesell.store import list_offers, require_schema

    with database.connect() as conn:
        schema = require_schema(conn)
        offers = [offer for offer in list_offers(conn) if offer.is_active_on(day)]
    if not offers:
        raise CatalogError(f"no offer is active on {day}: nothing to tag")
    try:
        return schema, compile_catalog(offers, schema)
    except RuleError as exc:
        raise exc.located(source="catalog in the database") from None


def _is_batch_layout(path: Path) -> bool:
    from servesell.batch.duck import is_batch_layout

    return is_batch_layout(path)


def _postgres(
    database: DbEngine,
    rules: dict[str, CompiledRule],
    schema: ProfileSchema,
    day: dt.date,
    out: Path | None,
    customers: Path | None,
) -> TagRun:
    from servesell.cli.tag_sources import ParquetSink
    from servesell.rules.tagging import TagRun
    from servesell.store.pushdown import iter_matrix, tag_in_database

    if customers is not None:
        raise InputFileError(
            "--engine postgres tags the customers stored in the database; "
            "use --engine duckdb or spark for a file"
        )
    with err_console.status("tagging inside PostgreSQL"):
        if out is None:
            with database.begin() as conn:
                total, counts = tag_in_database(conn, rules, schema, as_of=day)
            return TagRun(day, total, counts)
        with database.connect() as conn, ParquetSink(out, list(rules)) as sink:
            run = TagRun(day, eligible=dict.fromkeys(rules, 0))
            for matrix in iter_matrix(conn, rules, schema, today=day):
                sink(matrix)
                run.add(matrix)
            return run


def _spark(
    database: DbEngine,
    rules: dict[str, CompiledRule],
    schema: ProfileSchema,
    day: dt.date,
    out: Path | None,
    customers: Path | None,
    master: str,
) -> TagRun:
    from servesell.batch.spark import (
        read_customers,
        read_customers_jdbc,
        spark_session,
        tag_frame,
        write_matrix,
    )
    from servesell.rules.tagging import TagRun

    if out is None:
        raise InputFileError("--engine spark writes the matrix as parquet: give --out FOLDER")
    with err_console.status(f"tagging on Spark ({master})"), spark_session(master) as spark:
        if customers is not None:
            frame = read_customers(spark, customers, schema)
        else:
            partitions = max(2, spark.sparkContext.defaultParallelism)
            url = database.url.render_as_string(hide_password=False)
            frame = read_customers_jdbc(spark, url, schema, partitions=partitions)
        total, counts = write_matrix(spark, tag_frame(spark, frame, rules, today=day), out)
    return TagRun(day, total, counts)


def _duck_parquet(
    database: DbEngine,
    rules: dict[str, CompiledRule],
    schema: ProfileSchema,
    day: dt.date,
    out: Path | None,
    customers: Path,
) -> TagRun:
    from servesell.batch.duck import copy_matrix, open_customers, stream_matrix
    from servesell.cli.tag_sources import StoreSink
    from servesell.rules.tagging import TagRun

    with err_console.status("tagging with DuckDB"), open_customers(customers, schema) as con:
        if out is not None:
            total, counts = copy_matrix(con, rules, today=day, out=out)
            return TagRun(day, total, counts)
        run = TagRun(day, eligible=dict.fromkeys(rules, 0))
        with database.begin() as conn:
            sink = StoreSink(conn, day)
            for matrix in stream_matrix(con, rules, today=day):
                sink(matrix)
                run.add(matrix)
        return run


def _batches(
    database: DbEngine,
    rules: dict[str, CompiledRule],
    schema: ProfileSchema,
    day: dt.date,
    engine: str,
    out: Path | None,
    customers: Path | None,
    rejected: list[int],
) -> TagRun:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from servesell.cli.tag_sources import ParquetSink, StoreSink, file_batches, store_batches
    from servesell.rules.tagging import run_tagging
    from servesell.store import count_customers

    if customers is not None:
        batches = file_batches(customers, schema, rejected)
        total = None
    else:
        batches = store_batches(database, schema)
        with database.connect() as conn:
            total = count_customers(conn)
    columns = (TextColumn("tagging"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with ExitStack() as stack:
        progress = stack.enter_context(Progress(*columns, console=err_console))
        task = progress.add_task("tagging", total=total)
        if out is not None:
            sink: ParquetSink | StoreSink = stack.enter_context(ParquetSink(out, list(rules)))
        else:
            sink = StoreSink(stack.enter_context(database.begin()), day)
        return run_tagging(
            batches,
            rules,
            schema,
            as_of=day,
            engine="python" if engine == "python" else "duckdb",
            sinks=[sink],
            progress=lambda n: progress.advance(task, n),
        )


def _summary(run: TagRun, out: Path | None) -> None:
    table = Table("offer", "eligible", "share", title=f"eligibility as of {run.as_of}")
    for offer_id, count in run.eligible.items():
        share = count / run.customers if run.customers else 0.0
        table.add_row(offer_id, f"{count:,}", f"{share:.1%}")
    console.print(table)
    where = escape(str(out)) if out else "the tags table"
    console.print(f"tagged {run.customers:,} customers for {len(run.eligible)} offers into {where}")
