"""Small key-value facts about the database itself (who created it, demo seed, ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from servesell.store.tables import meta, metadata
from servesell.store.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection


_GET = select(meta.c.value).where(meta.c.key == bindparam("key"))


def get_meta(conn: Connection, key: str) -> str | None:
    """The value stored under ``key``, or ``None``."""
    value: str | None = conn.execute(_GET, {"key": key}).scalar_one_or_none()
    return value


def set_meta(conn: Connection, key: str, value: str) -> None:
    """Store ``value`` under ``key``, replacing any earlier value."""
    upsert(conn, meta, [{"key": key, "value": value}])


def ensure_meta(conn: Connection, key: str, value: str) -> str:
    """The value under ``key``, storing ``value`` first when there is none.

    Safe when several processes race: the first stored value wins and all of them get it.
    """
    insert = sqlite.insert if conn.dialect.name == "sqlite" else postgresql.insert
    conn.execute(insert(meta).values(key=key, value=value).on_conflict_do_nothing())
    stored: str = conn.execute(_GET, {"key": key}).scalar_one()
    return stored


def clear_data(conn: Connection) -> None:
    """Delete every row of every servesell table (the schema and migrations stay)."""
    for table in reversed(metadata.sorted_tables):
        conn.execute(table.delete())


CATALOG_VERSION = "catalog_version"


def bump_catalog_version(conn: Connection) -> None:
    """Mark the catalog, policy or schema as changed so every worker rebuilds its engine."""
    current = int(get_meta(conn, CATALOG_VERSION) or 0)
    set_meta(conn, CATALOG_VERSION, str(current + 1))


def catalog_version(conn: Connection) -> int:
    """A number that changes whenever the catalog, policy or schema changes."""
    return int(get_meta(conn, CATALOG_VERSION) or 0)
