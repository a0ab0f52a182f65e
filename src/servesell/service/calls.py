"""One call's round trip through the store and the engine: load, decide, log, record outcomes.

The CLI, the API and the demo all make decisions through :func:`decide_call`, so a
decision is made the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from servesell.decide import Catalog, Engine
from servesell.store import (
    contact_history,
    get_customer,
    insert_decision,
    list_offers,
    load_policy,
    require_schema,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.decide import ContactPolicy
    from servesell.domain import (
        CallContext,
        Customer,
        Decision,
        LoadGate,
        PropensityModel,
        QueueState,
    )


def build_engine(
    conn: Connection,
    *,
    policy: ContactPolicy | None = None,
    model: PropensityModel | None = None,
    gate: LoadGate | None = None,
    tz: dt.tzinfo = dt.UTC,
    seed: int = 0,
) -> Engine:
    """An engine over the store's catalog and policy (unless given), rules compiled once."""
    catalog = Catalog(list_offers(conn), require_schema(conn))
    policy = policy or load_policy(conn)
    return Engine(catalog, policy=policy, model=model, gate=gate, tz=tz, seed=seed)


def history_days(engine: Engine) -> float:
    """How far back contact policy needs to look."""
    p = engine.policy
    return max(30.0, p.cool_down_days_offer, p.cool_down_days_global, p.accepted_memory_days)


def decide_call(
    conn: Connection,
    engine: Engine,
    customer_id: str,
    context: CallContext,
    *,
    queue_state: QueueState | None = None,
    log: bool = True,
) -> tuple[Decision, Customer]:
    """Decide for ``customer_id`` on this call, append the decision to the log, return both.

    With ``log`` the customer's row is locked first (PostgreSQL; SQLite callers use
    :func:`~servesell.store.db.write_transaction`), so concurrent calls of one customer
    see each other's offers and frequency caps stay exact.
    """
    customer = get_customer(conn, customer_id, engine.catalog.schema, lock=log)
    since = context.at - dt.timedelta(days=history_days(engine))
    history = contact_history(conn, customer_id, since)
    decision = engine.decide(customer, context, history=history, queue_state=queue_state)
    if log:
        insert_decision(conn, decision)
    return decision, customer
