"""Signed session cookies: who is logged in, their CSRF token, and when the login expires.

The cookie holds ``{user, csrf}`` signed with a key and a timestamp (itsdangerous); it
is HttpOnly and SameSite=Lax and stops working ``session_hours`` after login, or at
logout: logging out records the session as ended in the database, so the old cookie is
refused afterwards even if it was copied. Every request re-reads the user and whether the
session was ended (cached five seconds, like bearer tokens), so a revoked user, a changed
role or a logout in another worker takes effect within that time, like a revoked API token.

The middleware also lets the JSON API accept the session (``request.state.user``), but a
state-changing ``/v1`` request authenticated only by the cookie must carry the
``X-CSRF-Token`` header, or it is treated as anonymous.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from servesell.store.logins import session_ended
from servesell.store.meta import ensure_meta
from servesell.store.users import user_by_name

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from starlette.types import ASGIApp, Receive, Scope, Send

    from servesell.config import Settings
    from servesell.service.tokens import TokenCache
    from servesell.store.users import User

SESSION_COOKIE = "servesell_session"
CSRF_COOKIE = "servesell_csrf"
LANG_COOKIE = "servesell_lang"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
KEY_META = "web_session_key"


@dataclass(frozen=True, slots=True)
class Session:
    """A logged-in browser: the user's name and the CSRF token of this login."""

    user: str
    csrf: str

    @classmethod
    def start(cls, user: str) -> Session:
        """A new session for ``user`` with a fresh CSRF token."""
        return cls(user, new_token())


def new_token() -> str:
    """A random URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def same_token(sent: object, expected: str | None) -> bool:
    """Whether ``sent`` is the expected token (constant-time)."""
    if not expected or not isinstance(sent, str):
        return False
    return hmac.compare_digest(sent.encode(), expected.encode())


class SessionCodec:
    """Signs sessions into cookie values and reads them back until they expire."""

    def __init__(self, key: str, max_age_seconds: float) -> None:
        self.max_age_seconds = max_age_seconds
        self._serializer = URLSafeTimedSerializer(key, salt="servesell.web.session")

    def dump(self, session: Session) -> str:
        """The cookie value for ``session``."""
        return self._serializer.dumps({"u": session.user, "c": session.csrf})

    def load(self, value: str | None) -> Session | None:
        """The session in a cookie value; ``None`` when absent, forged or expired."""
        if not value:
            return None
        try:
            data: Any = self._serializer.loads(value, max_age=int(self.max_age_seconds))
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        user, csrf = data.get("u"), data.get("c")
        if not isinstance(user, str) or not isinstance(csrf, str):
            return None
        return Session(user, csrf)


def session_key(db: Engine, settings: Settings) -> str:
    """The signing key: the configured one, else a random one kept in the database.

    Keeping it in the database lets every worker and restart share it without setup.
    """
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    with db.begin() as conn:
        return ensure_meta(conn, KEY_META, new_token())


class SessionMiddleware:
    """ASGI middleware: sets ``request.state.session`` and ``request.state.user``."""

    def __init__(self, app: ASGIApp, codec: SessionCodec, db: Engine, users: TokenCache) -> None:
        self.app = app
        self.codec = codec
        self.db = db
        self.users = users

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the cookie, check it and the user, then pass the request on."""
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        session = self.codec.load(request.cookies.get(SESSION_COOKIE))
        user = await self._user(session) if session else None
        if user is None:
            session = None
        elif session is not None and _unguarded_api_write(request, session):
            user = None
        state = scope.setdefault("state", {})
        state["session"], state["user"] = session, user
        await self.app(scope, receive, send)

    async def _user(self, session: Session) -> User | None:
        user = self.users.get(_cache_key(session))
        if user is None:
            user = await run_in_threadpool(self._lookup, session)
        return user

    def _lookup(self, session: Session) -> User | None:
        with self.db.connect() as conn:
            user = None if session_ended(conn, session.csrf) else user_by_name(conn, session.user)
        if user is not None:
            self.users.put(_cache_key(session), user)
        return user


def _cache_key(session: Session) -> str:
    """The session's key in the runtime's token cache (tokens never contain ':').

    Sharing the cache means revoking a user or a logout in a worker forgets the cached
    sessions there at once, like tokens.
    """
    return f"user:{session.user}:{session.csrf}"


def _unguarded_api_write(request: Request, session: Session) -> bool:
    """A cookie-authenticated API write without the CSRF header (or with a wrong one)."""
    if request.method in SAFE_METHODS or not request.url.path.startswith("/v1/"):
        return False
    if request.headers.get("authorization"):
        return False
    return not same_token(request.headers.get(CSRF_HEADER), session.csrf)
