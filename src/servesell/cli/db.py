"""``servesell db ...`` and ``servesell schema ...``: the database and the declared profile."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from servesell.cli.app import app, console
from servesell.cli.options import DbOption, open_database

db_app = typer.Typer(help="Create and migrate the database.", no_args_is_help=True)
schema_app = typer.Typer(help="Declare the customer-profile schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(schema_app, name="schema")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create the database or migrate it to the newest schema."""
    from servesell.store import head_revision

    open_database(db, create=True)
    console.print(f"database at revision {head_revision()}")


@schema_app.command("load")
def schema_load(
    file: Annotated[Path, typer.Argument(help="YAML mapping of field name to type.")],
    db: DbOption = None,
) -> None:
    """Declare the customer-profile fields (name: int|float|str|bool|date)."""
    from servesell.ingest.schema import read_schema_file
    from servesell.store import save_schema

    schema = read_schema_file(file)
    with open_database(db).begin() as conn:
        save_schema(conn, schema)
    console.print(f"declared {len(schema.fields)} profile fields")


@schema_app.command("show")
def schema_show(db: DbOption = None) -> None:
    """Print the declared customer-profile fields."""
    from servesell.store import require_schema

    with open_database(db).connect() as conn:
        schema = require_schema(conn)
    for spec in schema.fields:
        console.print(f"{spec.name}: {spec.type.value}")
