"""campaigns: campaigns, surveys, sale events, purchases, agent shifts, incentives, competitions

Revision ID: 1201
Revises: 0902
Create Date: 2026-12-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1201"
down_revision: str | None = "0902"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "surveys",
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_surveys")),
    )
    op.create_table(
        "sale_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("decision_id", sa.String(length=64), nullable=False),
        sa.Column("offer_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_sale_events_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sale_events")),
        sa.UniqueConstraint("decision_id", "offer_id", "kind", name="uq_sale_events_once"),
    )
    op.create_table(
        "purchases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchases")),
    )
    op.create_index("ix_purchases_customer_at", "purchases", ["customer_id", "at"])
    op.create_table(
        "agent_shifts",
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("paid_seconds", sa.Float(), nullable=False),
        sa.Column("logged_in_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("agent_id", "day", name=op.f("pk_agent_shifts")),
    )
    op.create_table(
        "incentive_plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incentive_plans")),
    )
    op.create_index(
        op.f("ix_incentive_plans_valid_from"), "incentive_plans", ["valid_from"], unique=False
    )
    op.create_table(
        "competitions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("winners", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competitions")),
    )


def downgrade() -> None:
    op.drop_table("competitions")
    op.drop_index(op.f("ix_incentive_plans_valid_from"), table_name="incentive_plans")
    op.drop_table("incentive_plans")
    op.drop_table("agent_shifts")
    op.drop_index("ix_purchases_customer_at", table_name="purchases")
    op.drop_table("purchases")
    op.drop_table("sale_events")
    op.drop_table("surveys")
    op.drop_table("campaigns")
