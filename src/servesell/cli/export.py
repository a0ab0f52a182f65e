"""``servesell export decisions|outcomes|customers --out DIR``: parquet partitioned by day."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from servesell.cli.app import app, console, err_console
from servesell.cli.options import DbOption, open_database
from servesell.errors import InputFileError


@app.command("export")
def export_command(
    what: Annotated[str, typer.Argument(help="What to export: decisions, outcomes, customers.")],
    out: Annotated[Path, typer.Option("--out", help="Folder; one sub-folder per table.")],
    db: DbOption = None,
) -> None:
    """Write the decision log, the outcomes or the customers as parquet partitioned by day.

    Days are the center's local dates (SERVESELL_TIMEZONE). ``decisions`` also writes the
    candidates, calls and agents the KPIs read; ``customers`` writes the batch layout that
    ``servesell tag --engine spark --customers`` reads.
    """
    from servesell.batch.export import WHAT, export
    from servesell.config import get_settings

    if what not in WHAT:
        raise InputFileError(f"cannot export {what!r}; choose one of {', '.join(WHAT)}")
    database = open_database(db)
    try:
        with err_console.status(f"exporting {what}"):
            written = export(database, what, out, tz=ZoneInfo(get_settings().timezone))
    finally:
        database.dispose()
    for table, rows in written.items():
        console.print(f"{table}: {rows:,} rows -> {escape(str(out / table))}", highlight=False)
