"""Options shared by many commands, declared once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from servesell.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy import Engine

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
    from servesell.config import get_settings

    return option or get_settings().db_url


def open_database(option: str | None, *, create: bool = False) -> Engine:
    """The database of ``--db`` (else the settings), migrated to this version.

    A SQLite file that does not exist is an error pointing to ``servesell db upgrade``
    (a typo in ``--db`` must not silently create an empty database), unless ``create``.
    """
    from servesell.store import open_db
    from servesell.store.db import sqlite_file

    url = db_url(option)
    path = sqlite_file(url)
    if path is not None and not create and not path.exists():
        raise StoreError(
            f"database file {path} does not exist; create it with "
            f"`servesell db upgrade --db {url}` (or check the path)"
        )
    engine = open_db(url)
    _OPENED.append(engine)
    return engine


_OPENED: list[Engine] = []


def close_databases() -> None:
    """Dispose every database a command opened (its pooled connections closed at its end)."""
    while _OPENED:
        _OPENED.pop().dispose()
