"""Recording what happened to an offer: the API, the agent desktop and the demo share it.

The outcome and what follows from it are written in one transaction: a "call me later"
decline becomes a callback request for the outbound journeys, an in-call decline whose
offer can follow up digitally queues its message (the bill and a link to say yes later)
in the outbox, and an accept or decline enters the learning log the online model learns
from (:mod:`servesell.store.evidence`) — each exactly once however often the click is
retried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from servesell.domain import OutcomeResult
from servesell.service.access import audit_correction, check_outcome_by
from servesell.service.outbox import LinkBase, enqueue_decline_follow_up
from servesell.store import record_outcome
from servesell.store.callbacks import CallbackRequest, request_callback
from servesell.store.db import write_transaction
from servesell.store.decisions import decision_owner
from servesell.store.evidence import log_outcome

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy import Engine as Database

    from servesell.domain import Outcome
    from servesell.store.users import User

CALL_ME_LATER = "call_me_later"
"""The decline reason that asks for a callback (see ``domain.decision.DECLINE_REASONS``)."""


def record(
    db: Database, outcome: Outcome, *, links: LinkBase | None = None, by: User | None = None
) -> bool:
    """Store ``outcome`` and what follows from it; ``False`` when it was already stored.

    With ``links`` an in-call decline queues its digital follow-up (see
    :func:`~servesell.service.outbox.enqueue_decline_follow_up`). ``by`` is the user
    reporting it: an agent only on their own call, a supervisor on anyone's (audited);
    ``None`` for the system (a tracked link, the demo).
    """
    with write_transaction(db) as conn:
        return record_in(conn, outcome, links=links, by=by)


def record_in(
    conn: Connection, outcome: Outcome, *, links: LinkBase | None = None, by: User | None = None
) -> bool:
    """:func:`record` inside the caller's write transaction."""
    owner = check_outcome_by(conn, by, outcome) if by is not None else None
    created = record_outcome(conn, outcome)
    if created and by is not None and owner is not None:
        audit_correction(conn, by, outcome, owner)
    if created and links is not None:
        now = outcome.recorded_at if links.event_time else None
        enqueue_decline_follow_up(conn, outcome, base_url=links.base_url, tz=links.tz, now=now)
    if created:
        log_outcome(conn, outcome)  # the online model's evidence, in this same transaction
    if created and is_callback_request(outcome):
        customer_id, agent_id = decision_owner(conn, outcome.decision_id)
        request = CallbackRequest(
            customer_id=customer_id,
            decision_id=outcome.decision_id,
            offer_id=outcome.offer_id,
            requested_at=outcome.recorded_at,
            agent_id=agent_id,
        )
        request_callback(conn, request)
    return created


def is_callback_request(outcome: Outcome) -> bool:
    """Whether the customer declined for now and asked to be called back later."""
    return outcome.result is OutcomeResult.DECLINED and outcome.decline_reason == CALL_ME_LATER
