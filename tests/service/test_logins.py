"""Failed-login throttle and ended sessions, kept in the database: the same on both backends."""

from __future__ import annotations

import datetime as dt

from servesell.service.logins import LoginResult, LoginThrottle, log_in
from servesell.store import open_db
from servesell.store.db import write_transaction
from servesell.store.logins import end_session, session_ended
from servesell.store.users import Role, add_user

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def test_failures_are_counted_per_name_and_address_until_the_window_passes(
    any_db_url: str,
) -> None:
    db = open_db(any_db_url)
    with db.begin() as conn:
        add_user(conn, "ana", Role.AGENT, password="right-pass")
    throttle = LoginThrottle(per_user=2, per_address=3, window_seconds=600)

    def attempt(name: str, password: str, minutes: float, address: str = "10.0.0.1") -> LoginResult:
        at = NOW + dt.timedelta(minutes=minutes)
        return log_in(db, name, password, address=address, throttle=throttle, now=at)

    assert attempt("ana", "nope", 0).user is None
    assert attempt("ana", "nope", 1).retry_after is None
    refused = attempt("ana", "right-pass", 2)
    assert (refused.user, refused.retry_after) == (None, 480)
    assert attempt("ana", "right-pass", 2, address="10.0.0.2").retry_after == 480
    assert attempt("ghost", "nope", 3).retry_after is None
    assert attempt("ghost2", "nope", 4).retry_after == 360  # the address's limit
    welcome = attempt("ana", "right-pass", 10.5, address="10.0.0.2")
    assert welcome.user is not None
    db.dispose()


def test_an_ended_session_stays_ended_and_old_ones_are_forgotten(any_db_url: str) -> None:
    db = open_db(any_db_url)
    with write_transaction(db) as conn:
        end_session(conn, "old-secret", at=NOW, keep_since=NOW - dt.timedelta(hours=10))
        end_session(conn, "old-secret", at=NOW, keep_since=NOW - dt.timedelta(hours=10))  # twice
    later = NOW + dt.timedelta(hours=11)
    with write_transaction(db) as conn:
        assert session_ended(conn, "old-secret")
        assert not session_ended(conn, "other-secret")
        end_session(conn, "new-secret", at=later, keep_since=later - dt.timedelta(hours=10))
        assert not session_ended(conn, "old-secret")  # past its expiry: the cookie is dead anyway
        assert session_ended(conn, "new-secret")
    db.dispose()
