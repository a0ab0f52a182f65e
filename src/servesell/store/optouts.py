"""Channel opt-outs and do-not-market set by customers themselves, audit-logged.

A customer who replies "T" to an SMS or follows the opt-out link stops that channel for
good; asked to, they also become do-not-market, which contact policy already honours
everywhere. The decision policy asks :func:`opted_out_channels`; the delivery worker checks
again at send time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from servesell.domain.offer import Channel
from servesell.store.audit import audit
from servesell.store.tables import channel_opt_outs, customers
from servesell.store.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection

_ADDRESS = {Channel.SMS: customers.c.phone, Channel.EMAIL: customers.c.email}


def set_opt_out(
    conn: Connection,
    customer_id: str,
    channel: Channel,
    *,
    source: str,
    actor: str,
    at: dt.datetime,
) -> bool:
    """Stop ``channel`` for ``customer_id``; ``False`` when it already was. Audited."""
    if channel in opted_out_channels(conn, customer_id):
        return False
    upsert(
        conn,
        channel_opt_outs,
        [{"customer_id": customer_id, "channel": channel.value, "at": at, "source": source}],
    )
    audit(
        conn,
        actor=actor,
        action="opt_out",
        entity="customer",
        entity_id=customer_id,
        before=None,
        after={"channel": channel.value, "source": source},
    )
    return True


def set_do_not_market(conn: Connection, customer_id: str, *, actor: str, source: str) -> bool:
    """Make ``customer_id`` do-not-market; ``False`` when already (or unknown). Audited."""
    stmt = (
        update(customers)
        .where(customers.c.id == customer_id, customers.c.do_not_market.is_(False))
        .values(do_not_market=True, updated_at=dt.datetime.now(dt.UTC))
    )
    if conn.execute(stmt).rowcount != 1:
        return False
    audit(
        conn,
        actor=actor,
        action="do_not_market",
        entity="customer",
        entity_id=customer_id,
        before={"do_not_market": False},
        after={"do_not_market": True, "source": source},
    )
    return True


def opted_out_channels(conn: Connection, customer_id: str) -> frozenset[Channel]:
    """The channels ``customer_id`` asked to stop (for the decision policy)."""
    return opt_outs_of(conn, [customer_id]).get(customer_id, frozenset())


def opt_outs_of(conn: Connection, customer_ids: Iterable[str]) -> dict[str, frozenset[Channel]]:
    """Opted-out channels of each of ``customer_ids`` that has any."""
    found: dict[str, set[Channel]] = {}
    rows = conn.execute(
        select(channel_opt_outs.c.customer_id, channel_opt_outs.c.channel).where(
            channel_opt_outs.c.customer_id.in_(list(customer_ids))
        )
    )
    for customer_id, channel in rows:
        found.setdefault(customer_id, set()).add(Channel(channel))
    return {k: frozenset(v) for k, v in found.items()}


def customer_by_address(conn: Connection, channel: Channel, address: str) -> str | None:
    """The customer whose phone (SMS) or e-mail is ``address``, or ``None``."""
    column = _ADDRESS.get(channel)
    if column is None or not address.strip():
        return None
    forms = {address.strip()}
    if channel is Channel.SMS:
        forms |= {a.removeprefix("+86").removeprefix("0086") for a in forms}
    return conn.execute(
        select(customers.c.id).where(column.in_(forms)).order_by(customers.c.id).limit(1)
    ).scalar()
