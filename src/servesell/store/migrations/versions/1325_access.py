"""access: failed logins (throttling) and web sessions ended by logout

Revision ID: 1325
Revises: 1201
Create Date: 2026-12-02 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1325"
down_revision: str | None = "1201"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(op.f("ix_login_failures_at"), "login_failures", ["at"])
    op.create_index("ix_login_failures_user_at", "login_failures", ["user_name", "at"])
    op.create_index("ix_login_failures_address_at", "login_failures", ["address", "at"])
    op.create_table(
        "ended_sessions",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("session_hash", name=op.f("pk_ended_sessions")),
    )
    op.create_index(op.f("ix_ended_sessions_ended_at"), "ended_sessions", ["ended_at"])


def downgrade() -> None:
    op.drop_table("ended_sessions")
    op.drop_table("login_failures")
