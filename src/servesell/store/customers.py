"""Customers: upsert by id, read one for a live call, stream all for batch work."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, bindparam, exists, func, select, true

from servesell.domain.customer import Customer
from servesell.domain.offer import Channel
from servesell.domain.schema import ProfileSchema, from_json_values, to_json_value
from servesell.domain.values import describe_char
from servesell.errors import NotFoundError
from servesell.store.decisions import HISTORY, contact_history, contacts_of
from servesell.store.tables import channel_opt_outs, customers
from servesell.store.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection, Row

    from servesell.domain.history import Contact

_OPTED_OUT = {
    channel: exists()
    .where(
        channel_opt_outs.c.customer_id == customers.c.id,
        channel_opt_outs.c.channel == channel.value,
    )
    .label(f"opted_out_{channel.value}")
    for channel in Channel
    if channel.is_digital
}
_BY_ID = select(customers, *_OPTED_OUT.values()).where(customers.c.id == bindparam("customer_id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()
_HISTORY = HISTORY.order_by(None).subquery("history")
_WITH_HISTORY = (
    select(customers, *_OPTED_OUT.values(), *_HISTORY.c)
    .select_from(customers.outerjoin(_HISTORY, true()))
    .where(customers.c.id == bindparam("customer_id"))
    .order_by(_HISTORY.c.src, _HISTORY.c.made_at, _HISTORY.c.seq)
)
_FLAGS = ("do_not_market", "blacklisted", "vip", "open_complaint")
_CONTACTS = ("phone", "email", "wechat_openid")
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
TEXT_LIMITS: dict[str, int] = {
    column.name: column.type.length
    for column in customers.columns
    if isinstance(column.type, String) and column.type.length
}
"""Longest text each customer column holds, in characters, read from the table definition."""


def upsert_customers(conn: Connection, batch: Iterable[Customer]) -> int:
    """Insert or update ``batch`` by id; returns how many rows were written."""
    now = dt.datetime.now(dt.UTC)
    rows = [_to_row(customer, now) for customer in batch]
    upsert(conn, customers, rows)
    return len(rows)


def unstorable(customer: Customer) -> list[tuple[str, str]]:
    """``(column, reason)`` for each value of ``customer`` some supported database refuses.

    The limits are the table's own: ``String(n)`` lengths (PostgreSQL enforces them,
    SQLite does not, so both are held to them) and text without NUL, which PostgreSQL
    refuses in text and JSON alike. An importer checks a row with this before writing
    it, so a row that validates is a row every database stores.
    """
    problems: list[tuple[str, str]] = []
    texts: list[tuple[str, str]] = []
    for column, limit in TEXT_LIMITS.items():
        value = getattr(customer, column)
        if value is None:
            continue
        texts.append((column, value))
        if len(value) > limit:
            reason = f"{len(value)} characters, more than the {limit} the database column holds"
            problems.append((column, reason))
    texts += [(name, v) for name, v in customer.attributes.items() if isinstance(v, str)]
    texts += [("holdings", product) for product in customer.holdings]
    if _UNSTORABLE.search("".join(value for _, value in texts)):  # one scan for the row
        problems += [(c, _unstorable_text(v)) for c, v in texts if _UNSTORABLE.search(v)]
    return problems


def _unstorable_text(value: str) -> str:
    if "\x00" in value:
        return f"contains {describe_char(chr(0))}, which the database cannot store"
    return "contains an unpaired surrogate, which is not text the database can store"


def get_customer(
    conn: Connection, customer_id: str, schema: ProfileSchema, *, lock: bool = False
) -> Customer:
    """The customer with ``customer_id``; :class:`NotFoundError` when there is none.

    ``lock`` holds the row until the transaction ends (PostgreSQL ``FOR UPDATE``; SQLite
    serialises writers with ``BEGIN IMMEDIATE`` instead), so concurrent decisions for one
    customer see each other's offers.
    """
    locked = lock and conn.dialect.name == "postgresql"
    row = conn.execute(_BY_ID_LOCKED if locked else _BY_ID, {"customer_id": customer_id}).first()
    if row is None:
        raise NotFoundError("customer", customer_id)
    return _from_row(row, schema)


def customer_with_history(
    conn: Connection,
    customer_id: str,
    schema: ProfileSchema,
    since: dt.datetime,
    *,
    lock: bool = False,
) -> tuple[Customer, list[Contact]]:
    """:func:`get_customer` and :func:`~servesell.store.contact_history` in one round trip.

    The screen pop's read: the customer's row joined to its recent contacts (one row per
    contact, the customer's columns repeated; one row when there are none). A PostgreSQL
    row lock (``lock``) is taken by :func:`get_customer` and the history read after it,
    as a lock cannot be taken through the outer join.
    """
    if lock and conn.dialect.name == "postgresql":
        customer = get_customer(conn, customer_id, schema, lock=True)
        return customer, contact_history(conn, customer_id, since)
    rows = conn.execute(_WITH_HISTORY, {"customer_id": customer_id, "since": since}).all()
    if not rows:
        raise NotFoundError("customer", customer_id)
    return _from_row(rows[0], schema), contacts_of(rows)


def iter_customers(
    conn: Connection, schema: ProfileSchema, *, batch_size: int = 5000
) -> Iterator[Customer]:
    """Every customer, ordered by id, read in batches so memory stays flat."""
    last = ""
    while True:
        rows = conn.execute(
            select(customers)
            .where(customers.c.id > last)
            .order_by(customers.c.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        for row in rows:
            yield _from_row(row, schema)
        last = rows[-1].id


def sample_customers(conn: Connection, schema: ProfileSchema, *, every: int) -> Iterator[Customer]:
    """Every ``every``-th customer in id order (a systematic sample, the same on each run).

    The database numbers the rows, so only the sampled customers are read into Python.
    """
    numbered = select(
        customers, func.row_number().over(order_by=customers.c.id).label("n")
    ).subquery()
    rows = conn.execute(
        select(numbered).where((numbered.c.n - 1) % every == 0).order_by(numbered.c.id)
    )
    for row in rows:
        yield _from_row(row, schema)


def count_customers(conn: Connection) -> int:
    """How many customers the store holds."""
    return int(conn.execute(select(func.count()).select_from(customers)).scalar_one())


def _to_row(customer: Customer, now: dt.datetime) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": customer.id,
        "attributes": {k: to_json_value(v) for k, v in customer.attributes.items()},
        "holdings": sorted(customer.holdings),
        "updated_at": now,
    }
    row.update({flag: getattr(customer, flag) for flag in _FLAGS})
    row.update({field: getattr(customer, field) for field in _CONTACTS})
    return row


def _from_row(row: Row[Any], schema: ProfileSchema) -> Customer:
    return Customer(
        id=row.id,
        attributes=from_json_values(schema, row.attributes),
        holdings=frozenset(row.holdings),
        do_not_market=row.do_not_market,
        blacklisted=row.blacklisted,
        vip=row.vip,
        open_complaint=row.open_complaint,
        phone=row.phone,
        email=row.email,
        wechat_openid=row.wechat_openid,
        opted_out=frozenset(
            channel for channel, flag in _OPTED_OUT.items() if getattr(row, flag.name, False)
        ),
    )
