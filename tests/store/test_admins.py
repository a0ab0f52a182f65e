"""Two admins revoking each other at the same moment never leave the center without one."""

from __future__ import annotations

import threading

import pytest

from servesell.errors import AccessError, NotFoundError
from servesell.store import open_db
from servesell.store.db import write_transaction
from servesell.store.users import Role, add_user, disable_user, list_users


def test_two_admins_revoking_each_other_at_once_leave_one(any_db_url: str) -> None:
    db = open_db(any_db_url)
    with db.begin() as conn:
        add_user(conn, "a1", Role.ADMIN)
        add_user(conn, "a2", Role.ADMIN)
    second: list[BaseException | None] = []

    def a2_revokes_a1() -> None:
        try:
            with write_transaction(db) as conn:
                disable_user(conn, "a1", actor="a2")
            second.append(None)
        except AccessError as exc:
            second.append(exc)

    with write_transaction(db) as conn:
        disable_user(conn, "a2", actor="a1")
        other = threading.Thread(target=a2_revokes_a1)
        other.start()
        other.join(0.3)  # waits for the first transaction's lock
        assert other.is_alive()
    other.join(10)
    assert isinstance(second[0], AccessError)
    assert "a1 is the last admin" in str(second[0])
    with db.connect() as conn:
        assert [u.name for u in list_users(conn)] == ["a1"]
    db.dispose()


def test_an_unknown_user_is_not_found_and_a_revoked_one_only_once(any_db_url: str) -> None:
    db = open_db(any_db_url)
    with db.begin() as conn:
        add_user(conn, "boss", Role.ADMIN)
        add_user(conn, "ana", Role.AGENT)
    with write_transaction(db) as conn:
        disable_user(conn, "ana", actor="boss")
    with write_transaction(db) as conn, pytest.raises(NotFoundError, match="unknown user 'ana'"):
        disable_user(conn, "ana", actor="boss")
    db.dispose()
