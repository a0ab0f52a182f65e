"""learn: the learning log (every outcome once, in commit order) and model checkpoints

Revision ID: 0901
Revises: 0501
Create Date: 2026-12-05 09:00:00.000000

Outcomes recorded before this revision are copied into the log in id order, and a
saved model's place in the outcome log becomes its place in the learning log.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0901"
down_revision: str | None = "0501"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5000


def upgrade() -> None:
    op.create_table(
        "learning_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("decision_id", sa.String(length=64), nullable=False),
        sa.Column("offer_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("holdings", sa.JSON(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("predicted", sa.Float(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("delay_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_learning_events")),
        sa.UniqueConstraint("outcome_id", name=op.f("uq_learning_events_outcome_id")),
        sa.UniqueConstraint("decision_id", "offer_id", "channel", name="uq_learning_events_once"),
    )
    op.create_index(
        "ix_learning_events_offer_recorded", "learning_events", ["offer_id", "recorded_at"]
    )
    op.create_table(
        "learning_clock",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_learning_clock")),
    )
    with op.batch_alter_table("model_states") as batch:
        batch.add_column(sa.Column("last_seq", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("epoch", sa.Integer(), nullable=False, server_default="0"))
    _backfill()


def downgrade() -> None:
    with op.batch_alter_table("model_states") as batch:
        batch.drop_column("epoch")
        batch.drop_column("last_seq")
    op.drop_table("learning_clock")
    op.drop_index("ix_learning_events_offer_recorded", table_name="learning_events")
    op.drop_table("learning_events")


def _backfill() -> None:
    conn = op.get_bind()
    query = sa.text(
        "SELECT o.id, o.decision_id, o.offer_id, o.channel, o.result, o.recorded_at,"
        " d.customer_id, d.made_at, d.reason, d.queue, d.agent_id, d.call_id,"
        " c.attributes, c.holdings, k.propensity"
        " FROM outcomes o JOIN decisions d ON d.id = o.decision_id"
        " JOIN customers c ON c.id = d.customer_id"
        " JOIN decision_candidates k ON k.decision_id = o.decision_id AND k.offer_id = o.offer_id"
        " WHERE o.result IN ('accepted', 'declined') AND o.id > :after"
        " ORDER BY o.id LIMIT :n"
    )
    events = sa.table(
        "learning_events",
        *(sa.column(n) for n in _COLUMNS),
        sa.column("attributes", sa.JSON()),
        sa.column("holdings", sa.JSON()),
    )
    seq = after = 0
    while rows := conn.execute(query, {"after": after, "n": _BATCH}).all():
        batch = []
        for r in rows:
            seq += 1
            batch.append(_event(seq, r))
        conn.execute(sa.insert(events), batch)
        after = rows[-1].id
    conn.execute(
        sa.text("INSERT INTO learning_clock (name, seq) VALUES ('events', :s)"), {"s": seq}
    )
    conn.execute(
        sa.text(
            "UPDATE model_states SET epoch = 1, last_seq = (SELECT COUNT(*) FROM learning_events"
            " WHERE learning_events.outcome_id <= model_states.last_outcome_id)"
        )
    )


_COLUMNS = (
    "seq", "decision_id", "offer_id", "channel", "accepted", "outcome_id", "customer_id",
    "made_at", "reason", "queue", "agent_id", "call_id", "predicted", "recorded_at",
    "delay_seconds",
)  # fmt: skip


def _event(seq: int, r: Any) -> dict[str, Any]:
    import json

    def _json(value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value

    made_at, recorded_at = _stamp(r.made_at), _stamp(r.recorded_at)
    return {
        "seq": seq,
        "decision_id": r.decision_id,
        "offer_id": r.offer_id,
        "channel": r.channel,
        "accepted": r.result == "accepted",
        "outcome_id": r.id,
        "customer_id": r.customer_id,
        "attributes": _json(r.attributes),
        "holdings": _json(r.holdings),
        "made_at": made_at,
        "reason": r.reason,
        "queue": r.queue,
        "agent_id": r.agent_id,
        "call_id": r.call_id,
        "predicted": r.propensity,
        "recorded_at": recorded_at,
        "delay_seconds": max(0.0, (recorded_at - made_at).total_seconds()),
    }


def _stamp(value: Any) -> dt.datetime:
    """SQLite returns text, PostgreSQL datetimes."""
    stamp: dt.datetime = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return stamp
