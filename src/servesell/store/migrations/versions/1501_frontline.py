"""frontline: script variants with logged allocations, hand-overs to specialists

Revision ID: 1501
Revises: 1101
Create Date: 2026-12-02 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1501"
down_revision: str | None = "1101"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "script_variants",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("offer_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("decline_reason", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_script_variants")),
    )
    op.create_index(
        "ix_script_variants_offer", "script_variants", ["offer_id", "language", "status"]
    )
    op.create_table(
        "script_allocations",
        sa.Column("decision_id", sa.String(length=64), nullable=False),
        sa.Column("offer_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("variant_id", sa.String(length=64), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("arms", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_script_allocations_decision_id_decisions"),
        ),
        sa.PrimaryKeyConstraint("decision_id", "offer_id", name=op.f("pk_script_allocations")),
    )
    op.create_index("ix_script_allocations_offer", "script_allocations", ["offer_id", "language"])
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("decision_id", sa.String(length=64), nullable=False),
        sa.Column("offer_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("slot_at", sa.DateTime(), nullable=False),
        sa.Column("booked_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("specialist", sa.String(length=64), nullable=True),
        sa.Column("contacted_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_handovers_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handovers")),
        sa.UniqueConstraint("decision_id", "offer_id", name="uq_handovers_once"),
    )
    op.create_index(op.f("ix_handovers_booked_at"), "handovers", ["booked_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_handovers_booked_at"), table_name="handovers")
    op.drop_table("handovers")
    op.drop_index("ix_script_allocations_offer", table_name="script_allocations")
    op.drop_table("script_allocations")
    op.drop_index("ix_script_variants_offer", table_name="script_variants")
    op.drop_table("script_variants")
