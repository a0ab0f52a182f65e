"""The screen pop: what the agent sees when a call is answered, made once per call.

The API's ``POST /v1/decisions`` and the agent desktop both go through
:func:`screen_pop`, so a call is decided, logged and scripted the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.decide import render_script
from servesell.service.calls import decide_call
from servesell.service.queues import live_state
from servesell.store import get_customer
from servesell.store.db import write_transaction
from servesell.store.decisions import decision_for_call, outcomes_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Connection

    from servesell.decide import Engine
    from servesell.domain import CallContext, Customer, Decision, Offer, Outcome
    from servesell.service.runtime import Runtime


@dataclass(frozen=True, slots=True)
class ScreenPop:
    """A logged decision with the customer, the catalog it used and the filled-in scripts.

    ``outcomes`` holds what was already recorded (non-empty when a pop is shown again).
    """

    decision: Decision
    customer: Customer
    offers: Mapping[str, Offer]
    scripts: Mapping[str, str]
    outcomes: tuple[Outcome, ...] = ()


def screen_pop(
    runtime: Runtime, customer_id: str, context: CallContext, *, reuse: bool = False
) -> ScreenPop:
    """Decide for ``customer_id`` on this call and log it, with the queue's live state.

    With ``reuse`` and a ``context.call_id`` that already has a decision for this customer,
    that decision is shown again (with its outcomes) instead of making a second one.
    """
    with write_transaction(runtime.db) as conn:
        engine = runtime.engine(conn)
        earlier = _earlier(conn, engine, customer_id, context) if reuse else None
        if earlier is not None:
            return earlier
        state = live_state(runtime, conn, context.queue, at=context.at)
        decision, customer = decide_call(conn, engine, customer_id, context, queue_state=state)
    return _pop(engine, decision, customer, ())


def _earlier(
    conn: Connection, engine: Engine, customer_id: str, context: CallContext
) -> ScreenPop | None:
    if context.call_id is None:
        return None
    decision = decision_for_call(conn, customer_id, context.call_id)
    return None if decision is None else revisit(conn, engine, decision)


def revisit(conn: Connection, engine: Engine, decision: Decision) -> ScreenPop:
    """The screen pop of a logged decision, with the outcomes recorded since."""
    customer = get_customer(conn, decision.customer_id, engine.catalog.schema)
    return _pop(engine, decision, customer, tuple(outcomes_of(conn, decision.id)))


def _pop(
    engine: Engine, decision: Decision, customer: Customer, outcomes: tuple[Outcome, ...]
) -> ScreenPop:
    offers = {c.offer.id: c.offer for c in engine.catalog.offers}
    scripts = {
        c.offer_id: render_script(offers[c.offer_id].script, customer)
        for c in decision.shown
        if c.offer_id in offers
    }
    return ScreenPop(decision, customer, offers, scripts, outcomes)
