"""The append-only decision log: decisions, every candidate's fate, the contact history.

Outcomes recorded on a decision live in :mod:`servesell.store.outcomes`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    CompoundSelect,
    String,
    and_,
    bindparam,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
)

from servesell.domain.center import CallContext
from servesell.domain.decision import (
    Candidate,
    Decision,
    Fate,
    Mode,
    OutcomeResult,
    Scores,
)
from servesell.domain.history import Contact
from servesell.domain.offer import Channel
from servesell.errors import NotFoundError
from servesell.store.bulk import append_with_children
from servesell.store.tables import (
    ID,
    UtcDateTime,
    decision_candidates,
    decisions,
    journey_tasks,
    outcomes,
    task_attempts,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sqlalchemy import Connection, Row


def insert_decision(conn: Connection, decision: Decision) -> None:
    """Append ``decision`` and its candidates to the log (one statement on PostgreSQL)."""
    ctx = decision.context
    row = (
        decision.id,
        decision.customer_id,
        ctx.call_id,
        ctx.agent_id,
        ctx.queue,
        ctx.reason,
        decision.made_at,
        decision.mode.value,
        decision.budget_seconds,
        decision.explored,
        decision.policy,
        list(decision.ineligible),
    )
    candidates = [_candidate_row(decision.id, i, c) for i, c in enumerate(decision.candidates)]
    append_with_children(
        conn,
        (decisions, _DECISION_COLUMNS, row),
        (decision_candidates, _CANDIDATE_COLUMNS, candidates),
    )


_DECISION_COLUMNS = (
    "id",
    "customer_id",
    "call_id",
    "agent_id",
    "queue",
    "reason",
    "made_at",
    "mode",
    "budget_seconds",
    "explored",
    "policy",
    "ineligible",
)
_CANDIDATE_COLUMNS = (
    "decision_id",
    "offer_id",
    "position",
    "fate",
    "reason",
    "channel",
    "propensity",
    "value",
    "context_weight",
    "lever",
    "cost",
    "probability",
    "rank",
)


def get_decision(conn: Connection, decision_id: str) -> Decision:
    """The logged decision with its candidates; :class:`NotFoundError` when unknown."""
    row = conn.execute(select(decisions).where(decisions.c.id == decision_id)).first()
    if row is None:
        raise NotFoundError("decision", decision_id)
    cands = conn.execute(
        select(decision_candidates)
        .where(decision_candidates.c.decision_id == decision_id)
        .order_by(decision_candidates.c.position)
    ).all()
    return _decision_from_rows(row, cands)


def decision_for_call(conn: Connection, customer_id: str, call_id: str) -> Decision | None:
    """The latest decision made for ``customer_id`` on call ``call_id``, or ``None``.

    Lets a screen pop that is opened again (a reload) show the decision already made
    instead of making, and counting, a second one.
    """
    decision_id = conn.execute(
        select(decisions.c.id)
        .where(decisions.c.customer_id == customer_id, decisions.c.call_id == call_id)
        .order_by(decisions.c.made_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return None if decision_id is None else get_decision(conn, decision_id)


def decision_owner(conn: Connection, decision_id: str) -> tuple[str, str | None]:
    """The customer and the answering agent of a logged decision."""
    row = conn.execute(
        select(decisions.c.customer_id, decisions.c.agent_id).where(decisions.c.id == decision_id)
    ).first()
    if row is None:
        raise NotFoundError("decision", decision_id)
    return row.customer_id, row.agent_id


def contact_history(conn: Connection, customer_id: str, since: dt.datetime) -> list[Contact]:
    """Offers made to ``customer_id`` since ``since`` (shown or sent), with any results.

    One contact per offer made, on the channel it was made on. Its result is the
    customer's answer on any channel: an offer declined in the call and accepted later
    through its follow-up link is an accepted contact (so "recently accepted" holds).
    """
    return contacts_of(conn.execute(HISTORY, {"customer_id": customer_id, "since": since}))


def contacts_of(rows: Iterable[Row[Any]]) -> list[Contact]:
    """The contacts of rows of :data:`HISTORY` (rows whose ``src`` is NULL are skipped).

    Offers made first (the latest answer to each: an acceptance outranks the rest), then
    the journeys' outbound conversations.
    """
    contacts: dict[tuple[str, str], Contact] = {}
    outbound: list[Contact] = []
    for row in rows:
        if row.src is None:
            continue
        if row.src:
            if not (row.detail or {}).get("decision_id"):  # its offers are in the decision log
                outbound.append(_outbound_contact(row))
            continue
        key = (row.decision_id, row.offer_id)
        contact = _contact(row)
        earlier = contacts.get(key)
        if earlier is None or _outranks(contact, earlier):
            contacts[key] = contact
    return [*contacts.values(), *outbound]


def _outbound_contact(row: Row[Any]) -> Contact:
    """An outbound conversation of the journeys, as a contact the caps and cool-downs count.

    A conversation (answered, callback asked) is a contact made; a refusal is a decline
    (the global cool-down applies). The offer id is ``journey:<journey>/<step>``, which
    no catalog offer has, so per-offer rules never confuse the two. A call whose offers were
    logged as a decision (its outcomes per offer) counts through that decision instead.
    """
    return Contact(
        offer_id=f"journey:{row.journey_id}/{row.step}",
        channel=Channel.IN_CALL,
        at=row.made_at,
        result=OutcomeResult.DECLINED if row.disposition == "refused" else OutcomeResult.ACCEPTED,
    )


def _outranks(contact: Contact, other: Contact) -> bool:
    """An acceptance on any channel outranks every other answer to the same offer."""
    return contact.result is OutcomeResult.ACCEPTED and other.result is not OutcomeResult.ACCEPTED


def _history_query() -> CompoundSelect[Any]:
    """Offers made (decision log) and outbound conversations (journeys) in one round trip.

    ``src`` tells the two apart (0: an offer made, 1: an outbound attempt). The constant
    sets are literal SQL rather than expanding ``IN`` parameters, so the statement is
    compiled once and never re-rendered per call (the screen pop's hot path).
    """
    joined = decision_candidates.join(
        decisions, decisions.c.id == decision_candidates.c.decision_id
    ).outerjoin(
        outcomes,
        and_(
            outcomes.c.decision_id == decision_candidates.c.decision_id,
            outcomes.c.offer_id == decision_candidates.c.offer_id,
        ),
    )
    made = (
        select(
            literal_column("0").label("src"),
            decision_candidates.c.offer_id,
            decision_candidates.c.channel,
            decisions.c.made_at,
            decisions.c.id.label("decision_id"),
            outcomes.c.result,
            outcomes.c.recorded_at,
            outcomes.c.id.label("seq"),
            type_coerce(null(), ID).label("journey_id"),
            type_coerce(null(), ID).label("step"),
            type_coerce(null(), String).label("disposition"),
            type_coerce(null(), JSON).label("detail"),
        )
        .select_from(joined)
        .where(
            decisions.c.customer_id == bindparam("customer_id"),
            decisions.c.made_at >= bindparam("since", type_=UtcDateTime),
            decision_candidates.c.fate.in_(_literals(Fate.SHOWN.value, Fate.DIGITAL.value)),
        )
    )
    outbound = (
        select(
            literal_column("1"),
            null(),
            null(),
            task_attempts.c.at,
            null(),
            null(),
            null(),
            task_attempts.c.id,
            journey_tasks.c.journey_id,
            journey_tasks.c.step,
            task_attempts.c.disposition,
            task_attempts.c.detail,
        )
        .join_from(task_attempts, journey_tasks, journey_tasks.c.id == task_attempts.c.task_id)
        .where(
            task_attempts.c.customer_id == bindparam("customer_id"),
            task_attempts.c.at >= bindparam("since", type_=UtcDateTime),
            task_attempts.c.disposition.in_(_literals("answered", "callback", "refused")),
        )
    )
    return union_all(made, outbound).order_by(
        literal_column("src"), literal_column("made_at"), literal_column("seq")
    )


def _literals(*values: str) -> list[ColumnElement[Any]]:
    """Constant strings rendered into the SQL (known values, no quotes in them)."""
    return [literal_column(f"'{v}'") for v in values]


HISTORY = _history_query()
"""The contact history of ``:customer_id`` since ``:since``; read with :func:`contacts_of`."""


def _contact(row: Row[Any]) -> Contact:
    result = OutcomeResult(row.result) if row.result else None
    return Contact(
        offer_id=row.offer_id,
        channel=Channel(row.channel),
        at=row.recorded_at if result is OutcomeResult.DECLINED else row.made_at,
        result=result,
        decision_id=row.decision_id,
    )


def _candidate_row(decision_id: str, position: int, c: Candidate) -> tuple[Any, ...]:
    s = c.scores
    return (
        decision_id,
        c.offer_id,
        position,
        c.fate.value,
        c.reason,
        c.channel.value if c.channel else None,
        s.propensity,
        s.value,
        s.context_weight,
        s.lever,
        s.cost,
        c.probability,
        c.rank,
    )


def _decision_from_rows(row: Row[Any], cands: Sequence[Row[Any]]) -> Decision:
    return Decision(
        id=row.id,
        customer_id=row.customer_id,
        made_at=row.made_at,
        context=CallContext(
            at=row.made_at,
            reason=row.reason,
            agent_id=row.agent_id,
            call_id=row.call_id,
            queue=row.queue,
        ),
        mode=Mode(row.mode),
        budget_seconds=row.budget_seconds,
        explored=row.explored,
        candidates=tuple(
            Candidate(
                offer_id=c.offer_id,
                fate=Fate(c.fate),
                reason=c.reason,
                scores=Scores(c.propensity, c.value, c.context_weight, c.lever, c.cost),
                channel=Channel(c.channel) if c.channel else None,
                probability=c.probability,
                rank=c.rank,
            )
            for c in cands
        ),
        ineligible=tuple(row.ineligible),
        policy=row.policy,
    )
