"""service: piece rate frozen with each outcome; control-group start; callback requests

Revision ID: 0401
Revises: 0201
Create Date: 2026-12-02 14:00:00.000000
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0401"
down_revision: str | None = "0201"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outcomes") as batch:
        batch.add_column(sa.Column("piece_rate", sa.Float(), nullable=True))
    _backfill_piece_rates()
    with op.batch_alter_table("offers") as batch:
        batch.add_column(sa.Column("control_since", sa.DateTime(), nullable=True))
    _backfill_control_starts()
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("decision_id", sa.String(length=64), nullable=False),
        sa.Column("offer_id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_callback_requests_decision_id_decisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_requests")),
        sa.UniqueConstraint("decision_id", "offer_id", name="uq_callback_requests_once"),
    )
    op.create_index(op.f("ix_callback_requests_customer_id"), "callback_requests", ["customer_id"])


def _backfill_piece_rates() -> None:
    """Sales recorded before this revision take the piece rate in force at the upgrade.

    Earlier rates were never stored, so this is the best record there is; from now on
    every sale keeps the rate in force when it was recorded.
    """
    conn = op.get_bind()
    for offer_id, spec in conn.execute(sa.text("SELECT id, spec FROM offers")).all():
        data = json.loads(spec) if isinstance(spec, str) else spec
        conn.execute(
            sa.text(
                "UPDATE outcomes SET piece_rate = :rate"
                " WHERE offer_id = :offer AND result = 'accepted'"
            ),
            {"rate": float(data.get("piece_rate") or 0.0), "offer": offer_id},
        )


def _backfill_control_starts() -> None:
    """An offer with a control share has had it at least since it was last saved."""
    conn = op.get_bind()
    for offer_id, spec, updated_at in conn.execute(
        sa.text("SELECT id, spec, updated_at FROM offers")
    ).all():
        data = json.loads(spec) if isinstance(spec, str) else spec
        if float(data.get("control_share") or 0.0) > 0:
            conn.execute(
                sa.text("UPDATE offers SET control_since = :at WHERE id = :offer"),
                {"at": updated_at, "offer": offer_id},
            )


def downgrade() -> None:
    op.drop_index(op.f("ix_callback_requests_customer_id"), table_name="callback_requests")
    op.drop_table("callback_requests")
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("control_since")
    with op.batch_alter_table("outcomes") as batch:
        batch.drop_column("piece_rate")
