"""Options shared by many commands, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

from servesell.config import get_settings

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: $SERVESELL_DB_URL or sqlite:///./servesell.db).",
        show_default=False,
    ),
]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed for every random choice.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def db_url(option: str | None) -> str:
    """The database URL: the ``--db`` option, else the settings."""
    return option or get_settings().db_url
