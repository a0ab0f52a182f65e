"""Checking a web login: the password, and a throttle per user name and per address.

After ``per_user`` failed logins as one name, or ``per_address`` from one address, within
``window_seconds``, further attempts are refused without checking the password until the
oldest failure leaves the window (the caller answers 429 with ``Retry-After``). Failures
are kept in the database so every worker and node counts the same ones; the password is
checked outside any write transaction (scrypt takes tens of milliseconds), so a burst of
simultaneous guesses can pass the limit by at most the number in flight.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.store.db import write_transaction
from servesell.store.logins import clear_failures, failures_since, record_failure
from servesell.store.users import user_by_password

if TYPE_CHECKING:
    from sqlalchemy import Engine as Database

    from servesell.store.users import User


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    """How many failed logins a name and an address get within a window."""

    per_user: int = 5
    per_address: int = 20
    window_seconds: float = 900.0

    def retry_after(
        self, by_user: list[dt.datetime], by_address: list[dt.datetime], now: dt.datetime
    ) -> int | None:
        """Whole seconds until another attempt is allowed, ``None`` when it is now.

        >>> t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        >>> LoginThrottle(per_user=2, window_seconds=60).retry_after([t, t], [], t)
        60
        >>> LoginThrottle(per_user=2).retry_after([t], [t], t) is None
        True
        """
        waits = [
            _wait(times, limit, self.window_seconds, now)
            for times, limit in ((by_user, self.per_user), (by_address, self.per_address))
            if len(times) >= limit
        ]
        return max(waits) if waits else None


@dataclass(frozen=True, slots=True)
class LoginResult:
    """The user who logged in, or ``None``; ``retry_after`` when refused by the throttle."""

    user: User | None
    retry_after: int | None = None


def log_in(
    db: Database,
    name: str,
    password: str,
    *,
    address: str,
    throttle: LoginThrottle,
    now: dt.datetime | None = None,
) -> LoginResult:
    """Check ``name`` and ``password`` from ``address`` under ``throttle``; count a failure."""
    now = now or dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(seconds=throttle.window_seconds)
    with db.connect() as conn:
        by_user, by_address = failures_since(conn, user_name=name, address=address, since=since)
        wait = throttle.retry_after(by_user, by_address, now)
        if wait is not None:
            return LoginResult(None, wait)
        user = user_by_password(conn, name, password)
    with write_transaction(db) as conn:
        if user is None:
            record_failure(conn, user_name=name, address=address, at=now, keep_since=since)
        else:
            clear_failures(conn, name)
    return LoginResult(user)


def _wait(times: list[dt.datetime], limit: int, window: float, now: dt.datetime) -> int:
    """Seconds until only ``limit - 1`` of ``times`` are left in the window."""
    frees_at = times[len(times) - limit] + dt.timedelta(seconds=window)
    return max(1, math.ceil((frees_at - now).total_seconds()))
