"""Insert-or-update in one statement on SQLite and PostgreSQL (re-runs are idempotent)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects import postgresql, sqlite

from servesell.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table

_BATCH = 2000


def upsert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` into ``table``, updating every non-key column on a key conflict."""
    if not rows:
        return
    dialect = conn.dialect.name
    insert: Any
    if dialect == "sqlite":
        insert = sqlite.insert
    elif dialect == "postgresql":
        insert = postgresql.insert
    else:
        raise StoreError(f"database {dialect!r} is not supported (use SQLite or PostgreSQL)")
    keys = [col.name for col in table.primary_key.columns]
    for start in range(0, len(rows), _BATCH):
        stmt = insert(table)
        updates = {
            col.name: stmt.excluded[col.name] for col in table.columns if col.name not in keys
        }
        conn.execute(
            stmt.on_conflict_do_update(index_elements=keys, set_=updates),
            list(rows[start : start + _BATCH]),
        )
