"""SQLAlchemy table definitions: the one description of the database.

Profiles are stored as JSON because every center declares its own fields; offers as the
validated JSON document of their model. The decision log (``decisions``,
``decision_candidates``, ``outcomes``) is append-only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware datetimes stored as naive UTC, read back as aware UTC.

    SQLite has no time zones; storing UTC everywhere keeps SQLite and PostgreSQL equal.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Reject naive datetimes; store UTC without tzinfo."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: servesell stores aware datetimes only")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Attach UTC to the stored value."""
        if value is None:
            return None
        stamp: dt.datetime = value
        return stamp.replace(tzinfo=dt.UTC)


ID = String(64)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

profile_fields = Table(
    "profile_fields",
    metadata,
    Column("name", String(63), primary_key=True),
    Column("type", String(8), nullable=False),
    Column("position", Integer, nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("id", ID, primary_key=True),
    Column("attributes", JSON, nullable=False),
    Column("holdings", JSON, nullable=False),
    Column("do_not_market", Boolean, nullable=False, default=False),
    Column("blacklisted", Boolean, nullable=False, default=False),
    Column("vip", Boolean, nullable=False, default=False),
    Column("open_complaint", Boolean, nullable=False, default=False),
    Column("phone", String(32)),
    Column("email", String(254)),
    Column("wechat_openid", String(64)),
    Column("updated_at", UtcDateTime, nullable=False),
)

offers = Table(
    "offers",
    metadata,
    Column("id", ID, primary_key=True),
    Column("spec", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("control_since", UtcDateTime),
)
"""``control_since``: when the offer's current control group started (``None``: it has none)."""

teams = Table(
    "teams",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
)

agents = Table(
    "agents",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("team_id", ID, ForeignKey("teams.id"), nullable=False),
    Column("skill", Float, nullable=False, default=1.0),
)

calls = Table(
    "calls",
    metadata,
    Column("id", ID, primary_key=True),
    Column("customer_id", ID, nullable=False, index=True),
    Column("agent_id", ID),
    Column("queue", String(64), nullable=False),
    Column("started_at", UtcDateTime, nullable=False, index=True),
    Column("reason", String(64), nullable=False),
    Column("handle_seconds", Float, nullable=False),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("customer_id", ID, nullable=False),
    Column("call_id", ID),
    Column("agent_id", ID),
    Column("queue", String(64), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("made_at", UtcDateTime, nullable=False, index=True),
    Column("mode", String(8), nullable=False),
    Column("budget_seconds", Float, nullable=False),
    Column("explored", Boolean, nullable=False),
    Column("policy", String(64), nullable=False),
    Column("ineligible", JSON, nullable=False),
    Index("ix_decisions_customer_made", "customer_id", "made_at"),
)

decision_candidates = Table(
    "decision_candidates",
    metadata,
    Column("decision_id", ID, ForeignKey("decisions.id"), primary_key=True),
    Column("offer_id", ID, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("fate", String(16), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("channel", String(16)),
    Column("propensity", Float, nullable=False),
    Column("value", Float, nullable=False),
    Column("context_weight", Float, nullable=False),
    Column("lever", Float, nullable=False),
    Column("probability", Float, nullable=False),
    Column("cost", Float, nullable=False, default=0.0),  # issue 22: channel cost
    Column("rank", Integer),
)

outcomes = Table(
    "outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("decision_id", ID, ForeignKey("decisions.id"), nullable=False),
    Column("offer_id", ID, nullable=False),
    Column("customer_id", ID, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("result", String(16), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("decline_reason", String(200)),
    Column("extra_handle_seconds", Float),
    Column("piece_rate", Float),
    UniqueConstraint("decision_id", "offer_id", "channel", name="uq_outcomes_once"),
    Index("ix_outcomes_customer_recorded", "customer_id", "recorded_at"),
)

callback_requests = Table(
    "callback_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", ID, nullable=False, index=True),
    Column("decision_id", ID, ForeignKey("decisions.id"), nullable=False),
    Column("offer_id", ID, nullable=False),
    Column("agent_id", ID),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime),
    Column("status", String(16), nullable=False),
    UniqueConstraint("decision_id", "offer_id", name="uq_callback_requests_once"),
)
"""A customer's "call me later" on an inbound decline, kept until a journey schedules it."""

users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("password_hash", String(200)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", String(200), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False, index=True),
    Index("ix_login_failures_user_at", "user_name", "at"),
    Index("ix_login_failures_address_at", "address", "at"),
)

ended_sessions = Table(
    "ended_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("ended_at", UtcDateTime, nullable=False, index=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False, index=True),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
)

queue_states = Table(
    "queue_states",
    metadata,
    Column("queue", String(64), primary_key=True),
    Column("state", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

tags = Table(
    "tags",
    metadata,
    Column("customer_id", ID, primary_key=True),
    Column("offer_id", ID, primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("tagged_at", UtcDateTime, nullable=False),
    Index("ix_tags_offer_customer", "offer_id", "customer_id"),
)
"""The eligibility matrix of the last ``servesell tag`` run: one row per eligible pair."""

model_states = Table(
    "model_states",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("state", JSON, nullable=False),
    Column("outcomes", Integer, nullable=False, default=0),
    Column("last_outcome_id", Integer, nullable=False, default=0),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("last_seq", Integer, nullable=False, default=0),  # learning_events applied
    Column("epoch", Integer, nullable=False, default=0),  # bumped when the model restarts
)

# --- channels (issue 16): the outbox of digital follow-ups, their status history,
# tracked links and channel opt-outs. ---

outbox_messages = Table(
    "outbox_messages",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("decision_id", ID, ForeignKey("decisions.id"), nullable=False),
    Column("offer_id", ID, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("customer_id", ID, nullable=False),
    Column("address", String(254), nullable=False),
    Column("language", String(8), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("params", JSON, nullable=False),
    Column("template", String(64), nullable=False),
    Column("link", String(500), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime),
    Column("lease_owner", String(64)),
    Column("lease_expires", UtcDateTime),
    Column("provider_id", String(128)),
    Column("last_error", String(500)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("valid_until", UtcDateTime, nullable=False),
    UniqueConstraint("decision_id", "offer_id", "channel", name="uq_outbox_messages_once"),
    Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    Index("ix_outbox_messages_customer_sent", "customer_id", "channel", "sent_at"),
)
"""One follow-up message: written with its decision or outcome, sent by ``servesell outbox
run``. ``(decision_id, offer_id, channel)`` is the idempotency key; ``id`` is our reference
at the provider (Aliyun ``OutId``)."""

outbox_events = Table(
    "outbox_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(32), ForeignKey("outbox_messages.id"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("source", String(16), nullable=False),
    Column("detail", String(500)),
    Index("ix_outbox_events_message", "message_id", "id"),
)
"""Every status a message went through, and who said so (worker, receipt, query, lease)."""

link_tokens = Table(
    "link_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("message_id", String(32), ForeignKey("outbox_messages.id"), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("answered_at", UtcDateTime),
    Column("answer", String(16)),
    Index("ix_link_tokens_message", "message_id"),
)
"""Tracked links: the SHA-256 of the token in ``/o/{token}`` (the token itself is not kept),
its expiry and the one answer it may carry."""

link_events = Table(
    "link_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(32), ForeignKey("outbox_messages.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_link_events_message", "message_id", "kind"),
)
"""What the customer did with a link: opened, accepted, declined, opted out."""

channel_opt_outs = Table(
    "channel_opt_outs",
    metadata,
    Column("customer_id", ID, primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("source", String(32), nullable=False),
)
"""Customers who asked a channel to stop (link, reply keyword or an admin)."""

Index("ix_customers_phone", customers.c.phone)
# --- online learning (issue 22): the learning log, its clock, model checkpoints --------

learning_events = Table(
    "learning_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("decision_id", ID, nullable=False),
    Column("offer_id", ID, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("accepted", Boolean, nullable=False),
    Column("outcome_id", Integer, unique=True),
    Column("customer_id", ID, nullable=False),
    Column("attributes", JSON, nullable=False),
    Column("holdings", JSON, nullable=False),
    Column("made_at", UtcDateTime, nullable=False),
    Column("reason", String(64), nullable=False),
    Column("queue", String(64), nullable=False),
    Column("agent_id", ID),
    Column("call_id", ID),
    Column("predicted", Float, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("delay_seconds", Float, nullable=False),
    UniqueConstraint("decision_id", "offer_id", "channel", name="uq_learning_events_once"),
    Index("ix_learning_events_offer_recorded", "offer_id", "recorded_at"),
)
"""Every piece of evidence for the online model, once, in commit order (``seq`` has no gaps).

Written in the transaction that stores the outcome (or, for a digital send nobody
answered within the attribution window, by the sweep that expires it), with the
customer's profile as it was then, so every worker and every replay learns the same."""

learning_clock = Table(
    "learning_clock",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),
)
"""The last ``seq`` handed out; its row lock makes ``seq`` follow commit order."""

# --- campaigns (issue 18): campaigns, surveys, sale events, purchases, agent time,
# incentive plans and competitions. ---

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", ID, primary_key=True),
    Column("spec", JSON, nullable=False),
    Column("state", String(16), nullable=False),
    Column("started_at", UtcDateTime),
    Column("ended_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
)
"""A campaign (the validated JSON of ``domain.campaign.Campaign``) and its life: the hold-out
starts at ``started_at`` (first start) and measurement stops at ``ended_at``."""

surveys = Table(
    "surveys",
    metadata,
    Column("call_id", ID, primary_key=True),
    Column("csat", Integer),
    Column("resolved", Boolean),
    Column("answered_at", UtcDateTime, nullable=False),
    Column("source", String(32), nullable=False),
)
"""Post-call survey of one call: satisfaction 1-5 and whether the request was resolved."""

sale_events = Table(
    "sale_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("decision_id", ID, ForeignKey("decisions.id"), nullable=False),
    Column("offer_id", ID, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("decision_id", "offer_id", "kind", name="uq_sale_events_once"),
)
"""What became of a sale later, from the core systems: ``activated`` or ``cancelled``."""

purchases = Table(
    "purchases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", ID, nullable=False),
    Column("product", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("amount", Float, nullable=False),
    Column("source", String(32), nullable=False),
    Index("ix_purchases_customer_at", "customer_id", "at"),
)
"""Purchases the core systems report, through any channel (organic ones too): the control
group's conversions and the pre-period covariate of CUPED."""

agent_shifts = Table(
    "agent_shifts",
    metadata,
    Column("agent_id", ID, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("paid_seconds", Float, nullable=False),
    Column("logged_in_seconds", Float, nullable=False),
)
"""Agent time per local day from the workforce system: paid, and logged in for contacts."""

incentive_plans = Table(
    "incentive_plans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("valid_from", UtcDateTime, nullable=False, index=True),
    Column("plan", JSON, nullable=False),
    Column("actor", String(64), nullable=False),
)
"""Every version of the incentive plan (append-only): the one in force is the newest."""

competitions = Table(
    "competitions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("spec", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime),
    Column("winners", JSON),
)
"""Sales competitions; ``winners`` is frozen when the competition is closed."""

# --- journeys (issue 17): events, journeys, call tasks and their attempts, do-not-call. ---

journey_events = Table(
    "journey_events",
    metadata,
    Column("id", ID, primary_key=True),
    Column("customer_id", ID, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("product", String(64)),
    Column("amount", Float),
    Column("points", Integer),
    Column("source", String(32), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index("ix_journey_events_kind_at", "kind", "at"),
    Index("ix_journey_events_customer_at", "customer_id", "at"),
)
"""Purchases, registrations, loyalty points and complaints, once per event id (the
sender's id: importing or posting the same event again stores nothing new)."""

journeys = Table(
    "journeys",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("spec", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
"""A journey (``kind`` journey: the JSON of ``journeys.spec.Journey``) or a promotional burst
(``kind`` burst: ``journeys.spec.Burst``)."""

journey_tasks = Table(
    "journey_tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("journey_id", ID, nullable=False),
    Column("step", ID, nullable=False),
    Column("event_id", ID, nullable=False),
    Column("customer_id", ID, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("team", ID),
    Column("owner_agent", ID),
    Column("due_from", UtcDateTime, nullable=False),
    Column("valid_until", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", String(64)),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime),
    Column("last_attempt_at", UtcDateTime),
    Column("grace_until", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("journey_id", "step", "event_id", name="uq_journey_tasks_once"),
    Index("ix_journey_tasks_status_due", "status", "due_from"),
    Index("ix_journey_tasks_customer_due", "customer_id", "due_from"),
)
"""One step of one journey for one event: a call task or a digital message, planned once
(``(journey_id, step, event_id)``); ``id`` is the VICIdial vendor lead code. Callbacks are
tasks of the journey ``callback`` (``owner_agent`` until ``grace_until``)."""

journey_missed = Table(
    "journey_missed",
    metadata,
    Column("journey_id", ID, primary_key=True),
    Column("step", ID, primary_key=True),
    Column("event_id", ID, primary_key=True),
    Column("customer_id", ID, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("team", ID),
    Column("due_from", UtcDateTime, nullable=False),
    Column("valid_until", UtcDateTime, nullable=False),
    sqlite_with_rowid=False,
)
"""A step whose validity had passed when it was first planned: never a task, never called,
counted as missed (status and reason ``stale``) beside the tasks. Its key is the task's
(``(journey_id, step, event_id)``), so planning twice stores nothing twice; one index, not
the tasks' four (``bench/journeys.py``: most of a million customers' steps)."""

task_attempts = Table(
    "task_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", Integer, ForeignKey("journey_tasks.id"), nullable=False),
    Column("customer_id", ID, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("disposition", String(16), nullable=False),
    Column("agent_id", ID),
    Column("detail", JSON, nullable=False),
    Index("ix_task_attempts_task", "task_id"),
    Index("ix_task_attempts_customer_at", "customer_id", "at"),
)
"""Every attempt on a task and what came of it (the dialer's disposition)."""

do_not_call = Table(
    "do_not_call",
    metadata,
    Column("phone", String(32), primary_key=True),
    Column("source", String(32), nullable=False),
    Column("at", UtcDateTime, nullable=False),
)
"""Phone numbers that must never be called (imported lists, refusals)."""

script_variants = Table(
    "script_variants",
    metadata,
    Column("id", ID, primary_key=True),
    Column("offer_id", ID, nullable=False),
    Column("language", String(8), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("decline_reason", String(64)),
    Column("text", Text, nullable=False),
    Column("author", String(64), nullable=False),
    Column("proposed_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reviewed_by", String(64)),
    Column("reviewed_at", UtcDateTime),
    Column("evidence", JSON),
    Index("ix_script_variants_offer", "offer_id", "language", "status"),
)
"""Scripts agents propose (a pitch, or an answer to a decline reason) and their review."""

script_allocations = Table(
    "script_allocations",
    metadata,
    Column("decision_id", ID, ForeignKey("decisions.id"), primary_key=True),
    Column("offer_id", ID, primary_key=True),
    Column("language", String(8), nullable=False),
    Column("variant_id", ID, nullable=False),
    Column("probability", Float, nullable=False),
    Column("arms", JSON, nullable=False),
    Index("ix_script_allocations_offer", "offer_id", "language"),
)
"""Which pitch variant a shown offer got, the probability it had and every live arm's
probability then (``{variant: p}``): what an unbiased comparison of variants needs."""

handovers = Table(
    "handovers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("decision_id", ID, ForeignKey("decisions.id"), nullable=False),
    Column("offer_id", ID, nullable=False),
    Column("customer_id", ID, nullable=False),
    Column("agent_id", ID),
    Column("team", ID, nullable=False),
    Column("slot_at", UtcDateTime, nullable=False),
    Column("booked_at", UtcDateTime, nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("specialist", String(64)),
    Column("contacted_at", UtcDateTime),
    Column("closed_at", UtcDateTime),
    Column("note", String(500), nullable=False, default=""),
    UniqueConstraint("decision_id", "offer_id", name="uq_handovers_once"),
)
"""A customer's yes to a referral offer handed to a specialist team (T+N), and its fate."""
