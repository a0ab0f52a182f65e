"""``servesell import customers`` and ``servesell offers ...``: getting data in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from servesell.cli.app import PARTIAL, app, console, err_console
from servesell.cli.options import DbOption, open_database

import_app = typer.Typer(help="Import data files into the store.", no_args_is_help=True)
offers_app = typer.Typer(help="Manage the offer catalog.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(offers_app, name="offers")

_MAX_SHOWN = 20


@import_app.command("customers")
def import_customers_command(
    file: Annotated[Path, typer.Argument(help="CSV (any delimiter) or parquet file.")],
    db: DbOption = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="Text encoding of a CSV file, e.g. gb18030 (default: detect)."),
    ] = None,
    decimal_comma: Annotated[
        bool,
        typer.Option(
            "--decimal-comma",
            help="Numbers are written 1.234,5 (decimal comma, '.' groups thousands).",
        ),
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option(help="Where to write rejected rows (default FILE.rejects.csv).")
    ] = None,
    ignore_unknown_columns: Annotated[
        bool, typer.Option(help="Accept columns not in the schema (they are not stored).")
    ] = False,
) -> None:
    """Upsert customers by id; bad rows go to a reject file with line, column and reason."""
    from servesell.ingest import import_customers

    engine = open_database(db)
    try:
        report = import_customers(
            engine,
            file,
            encoding=encoding,
            decimal="," if decimal_comma else ".",
            ignore_unknown=ignore_unknown_columns,
            reject_path=rejects,
        )
    finally:
        engine.dispose()
    for reject in report.rejects[:_MAX_SHOWN]:
        err_console.print(escape(str(reject)), highlight=False)
    if len(report.rejects) > _MAX_SHOWN:
        err_console.print(f"... and {len(report.rejects) - _MAX_SHOWN} more problems")
    for note in report.notes:
        console.print(escape(note), highlight=False)
    console.print(escape(report.summary), highlight=False)
    if report.rejected_rows:
        raise typer.Exit(PARTIAL)


@offers_app.command("load")
def offers_load(
    file: Annotated[Path, typer.Argument(help="Offer catalog YAML.")],
    db: DbOption = None,
) -> None:
    """Validate a catalog and upsert every valid offer; report each invalid one."""
    from servesell.ingest import load_catalog

    engine = open_database(db)
    try:
        report = load_catalog(engine, file)
    finally:
        engine.dispose()
    for error in report.errors:
        err_console.print(escape(str(error)), highlight=False)
    console.print(escape(report.summary), highlight=False)
    if report.errors:
        raise typer.Exit(PARTIAL)


@offers_app.command("list")
def offers_list(db: DbOption = None) -> None:
    """Show the catalog: id, status, value, prior propensity, extra seconds, channels."""
    from servesell.config import get_settings
    from servesell.store import list_offers

    with open_database(db).connect() as conn:
        offers = list_offers(conn)
    table = Table("id", "name", "status", "value", "prior", "extra s", "channels")
    for o in offers:
        table.add_row(
            o.id,
            escape(o.name_in(get_settings().language)),
            o.status.value,
            f"{o.value:,.0f}",
            f"{o.prior_propensity:.3f}",
            f"{o.extra_handle_seconds:.0f}",
            ", ".join(c.value for c in o.channels),
        )
    console.print(table)
