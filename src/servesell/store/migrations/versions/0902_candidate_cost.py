"""decide: the cost of a candidate's channel (talk seconds at the shadow price, a message)

Revision ID: 0902
Revises: 0901
Create Date: 2026-12-05 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0902"
down_revision: str | None = "0901"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("decision_candidates") as batch:
        batch.add_column(sa.Column("cost", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("decision_candidates") as batch:
        batch.drop_column("cost")
