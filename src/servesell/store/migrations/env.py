"""Alembic environment: runs on the connection servesell hands in (see store/db.py)."""

from alembic import context

from servesell.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through servesell (servesell db upgrade)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
