"""Failed web logins (for throttling) and web sessions ended by logout.

Both live in the database, not in a worker's memory: a server runs several workers (and
nodes), and a guesser spread over them, or a copied cookie sent to another worker, must
meet the same counts and the same logout.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, insert, select

from servesell.store.tables import ended_sessions, login_failures

if TYPE_CHECKING:
    from sqlalchemy import Connection


def failures_since(
    conn: Connection, *, user_name: str, address: str, since: dt.datetime
) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """When logins as ``user_name``, and from ``address``, failed since ``since`` (oldest first)."""
    by_user = conn.execute(
        select(login_failures.c.at)
        .where(login_failures.c.user_name == user_name, login_failures.c.at >= since)
        .order_by(login_failures.c.at)
    ).scalars()
    by_address = conn.execute(
        select(login_failures.c.at)
        .where(login_failures.c.address == address, login_failures.c.at >= since)
        .order_by(login_failures.c.at)
    ).scalars()
    return list(by_user), list(by_address)


def record_failure(
    conn: Connection, *, user_name: str, address: str, at: dt.datetime, keep_since: dt.datetime
) -> None:
    """Count one failed login, forgetting failures older than ``keep_since``."""
    conn.execute(delete(login_failures).where(login_failures.c.at < keep_since))
    conn.execute(
        insert(login_failures), {"user_name": user_name[:200], "address": address[:64], "at": at}
    )


def clear_failures(conn: Connection, user_name: str) -> None:
    """Forget a user's failed logins (after they logged in)."""
    conn.execute(delete(login_failures).where(login_failures.c.user_name == user_name))


def session_hash(secret: str) -> str:
    """The stored form of a session's secret (SHA-256, hex): the database never holds it."""
    return hashlib.sha256(secret.encode()).hexdigest()


def end_session(conn: Connection, secret: str, *, at: dt.datetime, keep_since: dt.datetime) -> None:
    """Mark a session ended; sessions that would have expired before ``keep_since`` are dropped."""
    conn.execute(delete(ended_sessions).where(ended_sessions.c.ended_at < keep_since))
    key = session_hash(secret)
    if not session_ended(conn, secret):
        conn.execute(insert(ended_sessions), {"session_hash": key, "ended_at": at})


_ENDED = select(ended_sessions.c.session_hash).where(
    ended_sessions.c.session_hash == bindparam("key")
)


def session_ended(conn: Connection, secret: str) -> bool:
    """Whether the session with this secret was ended by a logout."""
    return conn.execute(_ENDED, {"key": session_hash(secret)}).first() is not None
