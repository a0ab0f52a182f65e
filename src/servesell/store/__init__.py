"""The database: tables, migrations and small repository functions.

Everything else reaches the database through these functions, each taking an open
SQLAlchemy ``Connection`` so the caller owns the transaction.
"""

from servesell.store.center import (
    insert_calls,
    list_agents,
    list_teams,
    upsert_agents,
    upsert_teams,
)
from servesell.store.customers import (
    count_customers,
    customer_with_history,
    get_customer,
    iter_customers,
    upsert_customers,
)
from servesell.store.db import head_revision, make_engine, open_db, upgrade
from servesell.store.decisions import contact_history, get_decision, insert_decision
from servesell.store.learning import (
    LoggedDecision,
    StoredModel,
    iter_logged_decisions,
    load_model_state,
    save_model_state,
)
from servesell.store.meta import get_meta, set_meta
from servesell.store.offers import get_offer, list_offers, upsert_offers
from servesell.store.outcomes import outcomes_of, record_outcome
from servesell.store.policy import (
    load_gate_settings,
    load_policy,
    save_gate_settings,
    save_policy,
)
from servesell.store.profile import load_schema, require_schema, save_schema
from servesell.store.tags import clear_tags, insert_tags, tag_counts, tagged_customers

__all__ = [
    "LoggedDecision",
    "StoredModel",
    "clear_tags",
    "contact_history",
    "count_customers",
    "customer_with_history",
    "get_customer",
    "get_decision",
    "get_meta",
    "get_offer",
    "head_revision",
    "insert_calls",
    "insert_decision",
    "insert_tags",
    "iter_customers",
    "iter_logged_decisions",
    "list_agents",
    "list_offers",
    "list_teams",
    "load_gate_settings",
    "load_model_state",
    "load_policy",
    "load_schema",
    "make_engine",
    "open_db",
    "outcomes_of",
    "record_outcome",
    "require_schema",
    "save_gate_settings",
    "save_model_state",
    "save_policy",
    "save_schema",
    "set_meta",
    "tag_counts",
    "tagged_customers",
    "upgrade",
    "upsert_agents",
    "upsert_customers",
    "upsert_offers",
    "upsert_teams",
]
