"""Tracked links: a token's message and decision, its single answer, and what was done with it.

Only the SHA-256 of a token is stored, so the table cannot be turned back into working
links. Answering is one conditional update (``answered_at IS NULL``), so two clicks racing
on "accept" record one answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import distinct, func, insert, select, update

from servesell.domain.offer import Channel
from servesell.store.tables import decisions, link_events, link_tokens, outbox_messages

if TYPE_CHECKING:
    from sqlalchemy import Connection

M = outbox_messages


@dataclass(frozen=True, slots=True)
class Link:
    """What a token leads to: the message, its decision and offer, and the token's state."""

    message_id: str
    decision_id: str
    offer_id: str
    channel: Channel
    customer_id: str
    language: str
    decided_at: dt.datetime
    expires_at: dt.datetime
    answered_at: dt.datetime | None
    answer: str | None


def find_link(conn: Connection, token_hash: str) -> Link | None:
    """The link whose token hashes to ``token_hash``, or ``None``."""
    row = conn.execute(
        select(
            link_tokens.c.message_id,
            link_tokens.c.expires_at,
            link_tokens.c.answered_at,
            link_tokens.c.answer,
            M.c.decision_id,
            M.c.offer_id,
            M.c.channel,
            M.c.customer_id,
            M.c.language,
            decisions.c.made_at,
        )
        .join(M, M.c.id == link_tokens.c.message_id)
        .join(decisions, decisions.c.id == M.c.decision_id)
        .where(link_tokens.c.token_hash == token_hash)
    ).first()
    if row is None:
        return None
    return Link(
        message_id=row.message_id,
        decision_id=row.decision_id,
        offer_id=row.offer_id,
        channel=Channel(row.channel),
        customer_id=row.customer_id,
        language=row.language,
        decided_at=row.made_at,
        expires_at=row.expires_at,
        answered_at=row.answered_at,
        answer=row.answer,
    )


def answer_link(conn: Connection, token_hash: str, answer: str, at: dt.datetime) -> bool:
    """Record the token's one answer; ``False`` when it already had one."""
    stmt = (
        update(link_tokens)
        .where(link_tokens.c.token_hash == token_hash, link_tokens.c.answered_at.is_(None))
        .values(answered_at=at, answer=answer)
    )
    return conn.execute(stmt).rowcount == 1


def record_link_event(conn: Connection, message_id: str, kind: str, at: dt.datetime) -> None:
    """Append what the customer did with the link (``opened``, ``accepted``, ...)."""
    conn.execute(insert(link_events), {"message_id": message_id, "kind": kind, "at": at})


def link_event_counts(conn: Connection) -> dict[str, int]:
    """How many messages had each link event (``opened``, ``accepted``, ...), each once."""
    rows = conn.execute(
        select(link_events.c.kind, func.count(distinct(link_events.c.message_id))).group_by(
            link_events.c.kind
        )
    )
    return {kind: int(n) for kind, n in rows}
