"""``servesell rules check``: eligibility rules checked in bulk (``servesell tag``: cli/tag.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from servesell.cli.app import PARTIAL, app, console, err_console
from servesell.cli.options import DbOption, open_database

if TYPE_CHECKING:
    from servesell.domain.schema import ProfileSchema

rules_app = typer.Typer(help="Check eligibility rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

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
    from servesell.ingest.catalog import catalog_entries
    from servesell.rules import check_offer

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
    from servesell.ingest.schema import read_schema_file
    from servesell.store import require_schema

    if schema_file is not None:
        return read_schema_file(schema_file)
    with open_database(db).connect() as conn:
        return require_schema(conn)
