"""Users of the API and the web app: a role, a hashed bearer token, an optional password.

Tokens are 256-bit random strings shown once at creation; only their SHA-256 is stored
(a fast hash is right for high-entropy secrets). Passwords, chosen by people, are stored
as salted scrypt hashes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, insert, select, update

from servesell.domain.center import Role
from servesell.errors import AccessError, NotFoundError, ServesellError
from servesell.store.tables import users

if TYPE_CHECKING:
    from sqlalchemy import Connection

__all__ = [
    "USER_NAME",
    "Role",
    "User",
    "add_user",
    "check_password",
    "disable_user",
    "hash_password",
    "hash_token",
    "list_users",
    "user_by_name",
    "user_by_password",
    "user_by_token",
]


@dataclass(frozen=True, slots=True)
class User:
    """A user as the API sees them."""

    name: str
    role: Role


USER_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
"""What a user name may be: what the API's ``Name`` admits (letters, digits, '_', '.', '-')."""


def hash_token(token: str) -> str:
    """SHA-256 of a bearer token, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(conn: Connection, name: str, role: Role, *, password: str | None = None) -> str:
    """Create a user and return their bearer token (the only time it is visible)."""
    if not USER_NAME.fullmatch(name):
        raise ServesellError(
            f"user name {name!r} must be 1-64 letters, digits, '_', '.' or '-' (e.g. li-na)"
        )
    if conn.execute(select(users.c.name).where(users.c.name == name)).first():
        raise ServesellError(f"user {name!r} already exists")
    token = secrets.token_urlsafe(32)
    conn.execute(
        insert(users),
        {
            "name": name,
            "role": role.value,
            "token_hash": hash_token(token),
            "password_hash": hash_password(password) if password else None,
            "created_at": dt.datetime.now(dt.UTC),
            "disabled": False,
        },
    )
    return token


_BY_TOKEN = select(users.c.name, users.c.role).where(
    users.c.token_hash == bindparam("token_hash"), users.c.disabled.is_(False)
)


def user_by_token(conn: Connection, token: str) -> User | None:
    """The enabled user holding ``token``, or ``None``."""
    row = conn.execute(_BY_TOKEN, {"token_hash": hash_token(token)}).first()
    return None if row is None else User(row.name, Role(row.role))


def user_by_password(conn: Connection, name: str, password: str) -> User | None:
    """The enabled user ``name`` when ``password`` is theirs, else ``None``.

    An unknown name (or one without a password) is checked against a dummy hash, so the
    answer takes as long as a wrong password and does not reveal which names exist.
    """
    row = conn.execute(
        select(users.c.name, users.c.role, users.c.password_hash).where(
            users.c.name == name, users.c.disabled.is_(False)
        )
    ).first()
    stored = row.password_hash if row is not None and row.password_hash else _DUMMY_HASH
    matches = check_password(password, stored)
    if row is None or stored is _DUMMY_HASH or not matches:
        return None
    return User(row.name, Role(row.role))


def user_by_name(conn: Connection, name: str) -> User | None:
    """The enabled user ``name`` with their current role, or ``None`` (web sessions re-check)."""
    row = conn.execute(_BY_NAME, {"name": name}).first()
    return None if row is None else User(row.name, Role(row.role))


_BY_NAME = select(users.c.name, users.c.role).where(
    users.c.name == bindparam("name"), users.c.disabled.is_(False)
)


def list_users(conn: Connection) -> list[User]:
    """Every enabled user, by name."""
    rows = conn.execute(
        select(users.c.name, users.c.role).where(users.c.disabled.is_(False)).order_by(users.c.name)
    )
    return [User(r.name, Role(r.role)) for r in rows]


def disable_user(conn: Connection, name: str, *, actor: str | None = None) -> None:
    """Revoke a user's token and password; never ``actor`` themselves, never the last admin.

    ``actor`` is the admin asking (``None`` from the CLI, which has no login). The enabled
    admins are read ``FOR UPDATE`` (PostgreSQL; SQLite callers use a write transaction),
    so two admins revoking each other at once cannot leave the center without one.
    """
    if actor is not None and actor == name:
        raise AccessError(f"{actor} cannot revoke their own account; ask another admin")
    admins = (
        conn.execute(
            select(users.c.name)
            .where(users.c.role == Role.ADMIN.value, users.c.disabled.is_(False))
            .with_for_update()
        )
        .scalars()
        .all()
    )
    if admins == [name]:
        raise AccessError(f"{name} is the last admin; add another admin before revoking them")
    done = conn.execute(
        update(users).where(users.c.name == name, users.c.disabled.is_(False)).values(disabled=True)
    )
    if done.rowcount == 0:
        raise NotFoundError("user", name)


def hash_password(password: str) -> str:
    """Salted scrypt hash as ``scrypt$salt$hash`` (base64)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


_DUMMY_HASH = "scrypt$" + base64.b64encode(b"servesell-dummy!").decode() + "$" + "A" * 88
"""What an unknown user's password is checked against (same cost, never matches)."""


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a :func:`hash_password` result (constant time)."""
    try:
        _, salt_b64, digest_b64 = stored.split("$")
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except ValueError:
        return False
    candidate = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return hmac.compare_digest(candidate, digest)
