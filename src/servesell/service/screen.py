"""The screen pop: what the agent sees when a call is answered, made once per call.

:class:`CallDesk` is the one way to decide a call: the API's ``POST /v1/decisions``, the
agent desktop and ``servesell decide`` all go through :meth:`CallDesk.screen_pop`, so a
call is judged against the queue, decided, logged and scripted the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.decide import render_script
from servesell.service.outbox import LinkBase, enqueue_follow_ups
from servesell.service.outcomes import record, record_in
from servesell.service.queues import LoadCache, QueueMode, judge, live_state
from servesell.service.variants import LiveVariants, allocate_scripts, variant_text
from servesell.store import (
    contact_history,
    customer_with_history,
    get_customer,
    get_decision,
    insert_decision,
    outcomes_of,
)
from servesell.store.db import write_transaction
from servesell.store.decisions import decision_for_call
from servesell.store.follow_ups import FollowUp, follow_ups_of
from servesell.store.variants import allocations_of

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sqlalchemy import Connection
    from sqlalchemy import Engine as Database

    from servesell.decide import Engine
    from servesell.domain import (
        CallContext,
        Contact,
        Customer,
        Decision,
        Offer,
        Outcome,
        QueueState,
    )
    from servesell.service.engines import EngineSource
    from servesell.store.users import User


@dataclass(frozen=True, slots=True)
class ScreenPop:
    """A decision with everything the agent's screen shows for it.

    ``history`` holds the customer's recent contacts the decision judged (caps,
    cool-downs), ``mode`` the queue's verdict it was made under, ``scripts`` the shown
    offers' scripts filled in for the customer in ``language``, ``outcomes`` what was
    already recorded and ``follow_ups`` the digital messages of the call with what really
    became of them (queued, sent, delivered, opened, accepted, failed, ...).
    """

    decision: Decision
    customer: Customer
    offers: Mapping[str, Offer]
    scripts: Mapping[str, str]
    history: Sequence[Contact]
    mode: QueueMode
    language: str
    outcomes: tuple[Outcome, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    revisited: bool = False
    """True when this is a decision made earlier for the same call (a reload or a retry)."""

    def name_of(self, offer_id: str, language: str | None = None) -> str:
        """The offer's name in ``language`` (default the pop's), its id when retired."""
        offer = self.offers.get(offer_id)
        return offer.name_in(language or self.language) if offer else offer_id


class CallDesk:
    """Answers calls for one process over one database, engine source and load cache.

    The engine source is the process's :class:`~servesell.service.engines.LiveEngine`
    (or a :class:`~servesell.service.engines.FixedEngine` for the demo and benchmarks).

    ``language`` is the center's default script language, used when neither the call
    (the IVR's choice) nor the customer's profile (a ``language`` field) says otherwise.
    With ``links`` (where tracked links point), digital follow-ups — the offers a
    decision routes to a channel and the follow-up of an in-call decline — are queued in
    the outbox in the same transaction; without, nothing is queued (benchmarks, tests).
    """

    def __init__(
        self,
        db: Database,
        engines: EngineSource,
        loads: LoadCache | None = None,
        *,
        language: str = "zh",
        links: LinkBase | None = None,
    ) -> None:
        self.db = db
        self.engines = engines
        self.loads = loads or LoadCache()
        self.language = language
        self.links = links
        self.variants = LiveVariants()

    def screen_pop(
        self,
        customer_id: str,
        context: CallContext,
        *,
        queue_state: QueueState | None = None,
        reuse: bool = False,
        log: bool = True,
    ) -> ScreenPop:
        """Decide for ``customer_id`` on this call, judged on the queue's live state.

        ``queue_state`` replaces the queue's last report. With ``log`` the decision is
        appended to the log in a write transaction that locks the customer, so concurrent
        calls of one customer see each other's offers and frequency caps stay exact. With
        ``reuse`` and a ``context.call_id`` that already has a decision for this customer,
        that decision is shown again (with its outcomes) instead of making a second one.
        """
        with write_transaction(self.db) if log else self.db.connect() as conn:
            return self.pop_in(
                conn, customer_id, context, queue_state=queue_state, reuse=reuse, log=log
            )

    def pop_in(
        self,
        conn: Connection,
        customer_id: str,
        context: CallContext,
        *,
        queue_state: QueueState | None = None,
        reuse: bool = False,
        log: bool = True,
    ) -> ScreenPop:
        """:meth:`screen_pop` inside the caller's (write) transaction (the demo's day)."""
        engine = self.engines.get(conn)
        if reuse and context.call_id is not None:
            earlier = decision_for_call(conn, customer_id, context.call_id)
            if earlier is not None:
                return self._revisit(conn, engine, earlier)
        state = self._state(conn, context.queue, queue_state, context.at)
        since = context.at - history_span(engine)
        schema = engine.catalog.schema
        customer, history = customer_with_history(conn, customer_id, schema, since, lock=log)
        decision = engine.decide(customer, context, history=history, queue_state=state)
        follow_ups: tuple[FollowUp, ...] = ()
        variants: dict[str, str] = {}
        if log:
            insert_decision(conn, decision)
            follow_ups = self._queue_follow_ups(conn, engine, decision, customer)
            language = script_language(decision.context, customer, self.language)
            variants = allocate_scripts(
                conn, decision, engine.catalog.by_id, customer, language, live=self.variants
            )
        mode = QueueMode(context.queue, decision.mode, decision.budget_seconds, state)
        return self._pop(
            engine,
            decision,
            customer,
            history=history,
            mode=mode,
            follow_ups=follow_ups,
            variants=variants,
        )

    def record(self, outcome: Outcome, *, by: User | None = None) -> bool:
        """Store an outcome the agent (or a link) reported, with what follows from it.

        ``by``: the user reporting it (an agent only on their own call; see
        :func:`~servesell.service.outcomes.record`).
        """
        return record(self.db, outcome, links=self.links, by=by)

    def record_in(self, conn: Connection, outcome: Outcome) -> bool:
        """:meth:`record` inside the caller's write transaction (the demo's day)."""
        return record_in(conn, outcome, links=self.links)

    def revisit(self, decision_id: str) -> ScreenPop:
        """The screen pop of a logged decision, with the outcomes recorded since."""
        with self.db.connect() as conn:
            return self._revisit(conn, self.engines.get(conn), get_decision(conn, decision_id))

    def mode(
        self, conn: Connection, queue: str, state: QueueState | None = None, *, at: dt.datetime
    ) -> QueueMode:
        """Serve or sell for ``queue`` at ``at``, judged on ``state`` (default: last report)."""
        gate = self.engines.get(conn).gate
        return judge(gate, queue, self._state(conn, queue, state, at))

    def _state(
        self, conn: Connection, queue: str, state: QueueState | None, at: dt.datetime
    ) -> QueueState | None:
        aht = self.engines.default_aht_seconds
        return live_state(conn, self.loads, queue, state, at=at, default_aht_seconds=aht)

    def _revisit(self, conn: Connection, engine: Engine, decision: Decision) -> ScreenPop:
        customer = get_customer(conn, decision.customer_id, engine.catalog.schema)
        since = decision.made_at - history_span(engine)
        history = [
            c
            for c in contact_history(conn, decision.customer_id, since)
            if c.decision_id != decision.id
        ]
        mode = QueueMode(decision.context.queue, decision.mode, decision.budget_seconds, None)
        variants = {
            offer_id: render_script(text, customer)
            for offer_id, variant_id in allocations_of(conn, decision.id).items()
            if (text := variant_text(conn, variant_id)) is not None
        }
        return self._pop(
            engine,
            decision,
            customer,
            history=history,
            mode=mode,
            outcomes=tuple(outcomes_of(conn, decision.id)),
            follow_ups=tuple(follow_ups_of(conn, decision.id)),
            revisited=True,
            variants=variants,
        )

    def _queue_follow_ups(
        self, conn: Connection, engine: Engine, decision: Decision, customer: Customer
    ) -> tuple[FollowUp, ...]:
        if self.links is None or not decision.digital:
            return ()
        base, tz = self.links.base_url, self.links.tz
        now = decision.made_at if self.links.event_time else None
        offers = engine.catalog.by_id
        enqueue_follow_ups(conn, decision, customer, offers, base_url=base, tz=tz, now=now)
        return tuple(follow_ups_of(conn, decision.id))

    def _pop(
        self,
        engine: Engine,
        decision: Decision,
        customer: Customer,
        *,
        history: Sequence[Contact],
        mode: QueueMode,
        outcomes: tuple[Outcome, ...] = (),
        follow_ups: tuple[FollowUp, ...] = (),
        revisited: bool = False,
        variants: Mapping[str, str] | None = None,
    ) -> ScreenPop:
        """The screen pop; ``variants`` are the filled scripts of allocated variants."""
        offers = engine.catalog.by_id
        language = script_language(decision.context, customer, self.language)
        scripts = {
            c.offer_id: render_script(offers[c.offer_id].script_in(language), customer)
            for c in decision.shown
            if c.offer_id in offers
        }
        scripts.update(variants or {})
        return ScreenPop(
            decision,
            customer,
            offers,
            scripts,
            history,
            mode,
            language,
            outcomes,
            follow_ups,
            revisited,
        )


def history_span(engine: Engine) -> dt.timedelta:
    """How far back contact policy looks (caps, cool-downs, accepted memory)."""
    p = engine.policy
    days = max(30.0, p.cool_down_days_offer, p.cool_down_days_global, p.accepted_memory_days)
    return dt.timedelta(days=days)


def script_language(context: CallContext, customer: Customer, default: str) -> str:
    """The language the agent speaks to this caller: the call's, the profile's, else ``default``."""
    chosen = context.language or customer.attributes.get("language")
    return chosen if isinstance(chosen, str) and chosen else default
