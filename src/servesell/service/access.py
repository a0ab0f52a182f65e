"""Who may do what with calls and customers, beyond their role.

* An agent decides and records outcomes only as themselves, on their own calls; a
  supervisor or admin may name another agent (who must exist: an enabled user or an agent
  of the roster) and may record an outcome on any agent's call — a correction, audited.
* An agent reads a customer's profile and decisions only while serving them: the call they
  have open, meaning a decision of theirs on that customer made in the last
  ``open_minutes`` (default 60, ``SERVESELL_CALL_OPEN_MINUTES``; the same span for which a
  flagged offer without an outcome still counts as possibly in progress). Supervisors and
  admins read every customer. Every such read of personal data is audited.

A screen pop is itself how an agent opens a call: it is logged in the decision log with
the agent and the time, which is the record of that access.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import and_, bindparam, exists, or_, select

from servesell.errors import AccessError
from servesell.store.audit import audit
from servesell.store.decisions import decision_owner
from servesell.store.tables import agents, decisions, users
from servesell.store.users import Role, User

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy import Engine as Database

    from servesell.config import Settings
    from servesell.domain import Decision, Outcome
    from servesell.service.tokens import TokenCache


def acting_agent(
    db: Database, user: User, agent_id: str | None, *, known: TokenCache | None = None
) -> str:
    """The agent a decision is made for: ``user`` themselves unless a supervisor names one.

    :class:`AccessError` when an agent names someone else, or the named agent is unknown.
    The database is read only in that last case, at most every few seconds per agent
    with ``known`` (the worker's token cache: a CTI names the same agents all day).
    """
    if agent_id is None or agent_id == user.name:
        return user.name
    if not user.role.allows(Role.SUPERVISOR):
        raise AccessError(
            f"agent_id {agent_id!r} is not you ({user.name}): an agent decides only their own "
            "calls (a CTI deciding for many agents needs a supervisor token)"
        )
    key = f"agent:{agent_id}"
    if known is not None and known.get(key) is not None:
        return agent_id
    with db.connect() as conn:
        exists_now = known_agent(conn, agent_id)
    if not exists_now:
        raise AccessError(
            f"unknown agent_id {agent_id!r}: not a user nor an agent of the roster "
            "(servesell users add, or the agents import)"
        )
    if known is not None:
        known.put(key, User(agent_id, Role.AGENT))
    return agent_id


def known_agent(conn: Connection, agent_id: str) -> bool:
    """Whether ``agent_id`` is an enabled user or an agent of the center's roster."""
    return bool(conn.execute(_KNOWN_AGENT, {"agent_id": agent_id}).scalar())


_KNOWN_AGENT = select(
    or_(
        exists().where(users.c.name == bindparam("agent_id"), users.c.disabled.is_(False)),
        exists().where(agents.c.id == bindparam("agent_id")),
    )
)
"""Built once: a CTI's decisions check each named agent every few seconds per worker."""


def check_own_call(user: User, decision: Decision) -> None:
    """Refuse an agent a decision made on another agent's call (a reused call id)."""
    owner = decision.context.agent_id
    if owner != user.name and not user.role.allows(Role.SUPERVISOR):
        raise AccessError(
            f"call {decision.context.call_id!r} of customer {decision.customer_id!r} is "
            f"{owner or 'nobody'}'s call, not yours ({user.name})"
        )


def check_outcome_by(conn: Connection, user: User, outcome: Outcome) -> str | None:
    """Refuse an agent's outcome on another agent's call; the owner when a supervisor corrects.

    Returns ``None`` when ``user`` answered the call themselves, else the call's agent
    (the caller audits the correction once the outcome is stored).
    """
    _, owner = decision_owner(conn, outcome.decision_id)
    if owner == user.name:
        return None
    if not user.role.allows(Role.SUPERVISOR):
        raise AccessError(
            f"decision {outcome.decision_id!r} is {owner or 'nobody'}'s call, not yours "
            f"({user.name}): an agent records outcomes only on their own calls"
        )
    return owner or ""


def audit_correction(conn: Connection, user: User, outcome: Outcome, owner: str) -> None:
    """Audit an outcome a supervisor recorded on another agent's call."""
    audit(
        conn,
        actor=user.name,
        action="correct",
        entity="outcome",
        entity_id=f"{outcome.decision_id}/{outcome.offer_id}"[:64],
        before={"agent_id": owner},
        after={"result": outcome.result.value, "channel": outcome.channel.value},
    )


def check_serving(
    conn: Connection, user: User, customer_id: str, *, now: dt.datetime, open_minutes: float
) -> None:
    """Refuse an agent who has no call open with ``customer_id`` (see the module docstring)."""
    if user.role.allows(Role.SUPERVISOR):
        return
    since = now - dt.timedelta(minutes=open_minutes)
    serving = conn.execute(
        select(
            exists().where(
                and_(
                    decisions.c.customer_id == customer_id,
                    decisions.c.made_at >= since,
                    decisions.c.agent_id == user.name,
                )
            )
        )
    ).scalar()
    if not serving:
        raise AccessError(
            f"{user.name} has no call open with customer {customer_id!r}: an agent reads a "
            f"customer only during their call (a decision of theirs in the last "
            f"{open_minutes:g} minutes)"
        )


def audit_read(conn: Connection, user: User, entity: str, entity_id: str) -> None:
    """Record that ``user`` read personal data (a customer, a decision)."""
    audit(
        conn,
        actor=user.name,
        action="read",
        entity=entity,
        entity_id=entity_id,
        before=None,
        after=None,
    )


def read_personal(
    conn: Connection,
    user: User,
    *,
    entity: str,
    entity_id: str,
    customer_id: str,
    settings: Settings,
) -> None:
    """Check that ``user`` may read this customer's data now, and audit the read."""
    now = dt.datetime.now(dt.UTC)
    check_serving(conn, user, customer_id, now=now, open_minutes=settings.call_open_minutes)
    audit_read(conn, user, entity, entity_id)
