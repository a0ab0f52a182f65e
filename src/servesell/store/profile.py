"""The declared customer-profile schema, kept in the database beside the data it describes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select

from servesell.domain.schema import ProfileSchema
from servesell.errors import SchemaError
from servesell.store.meta import bump_catalog_version
from servesell.store.tables import profile_fields

if TYPE_CHECKING:
    from sqlalchemy import Connection


def save_schema(conn: Connection, schema: ProfileSchema) -> None:
    """Replace the declared profile schema with ``schema``."""
    conn.execute(delete(profile_fields))
    conn.execute(
        insert(profile_fields),
        [
            {"name": spec.name, "type": spec.type.value, "position": i}
            for i, spec in enumerate(schema.fields)
        ],
    )
    bump_catalog_version(conn)


def load_schema(conn: Connection) -> ProfileSchema | None:
    """The declared schema, or ``None`` when none was declared yet."""
    rows = conn.execute(
        select(profile_fields.c.name, profile_fields.c.type).order_by(profile_fields.c.position)
    ).all()
    if not rows:
        return None
    return ProfileSchema.from_mapping(dict(rows))


def require_schema(conn: Connection) -> ProfileSchema:
    """The declared schema; a clear error when none was declared."""
    schema = load_schema(conn)
    if schema is None:
        raise SchemaError(
            "no customer-profile schema is declared in this database: "
            "run `servesell schema load FILE.yaml` first (or `servesell demo`)"
        )
    return schema
