"""Login, logout, the language switch, and the landing page of each role."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response

from servesell.domain import LANGUAGES
from servesell.http import DbDep, SettingsDep, TokensDep
from servesell.service.logins import LoginThrottle, log_in
from servesell.store.db import write_transaction
from servesell.store.logins import end_session
from servesell.store.users import User
from servesell.web.access import home_of, safe_next
from servesell.web.csrf import CsrfChecked
from servesell.web.deps import CodecDep, PagesDep
from servesell.web.session import CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE, Session

if TYPE_CHECKING:
    from servesell.config import Settings

router = APIRouter(include_in_schema=False)

Field = Annotated[str, Form(max_length=200)]


@router.get("/")
def landing(request: Request) -> RedirectResponse:
    """The user's home page, or the login page."""
    user: User | None = request.state.user
    target = home_of(user.role) if user else "/login"
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


@router.get("/login", response_model=None)
def login_page(request: Request, pages: PagesDep, next: str = "") -> Response:
    """The login form (a logged-in user goes straight home)."""
    user: User | None = request.state.user
    if user is not None:
        return RedirectResponse(safe_next(next, home_of(user.role)), status.HTTP_303_SEE_OTHER)
    return pages.render(request, "login.html", next=safe_next(next, ""), error=None, name="")


@router.post("/login", response_model=None)
def login(
    request: Request,
    db: DbDep,
    pages: PagesDep,
    codec: CodecDep,
    settings: SettingsDep,
    _: CsrfChecked,
    name: Field,
    password: Field,
    next: Field = "",
) -> Response:
    """Check name and password; on success start a session and go to ``next`` or home.

    Too many failures for the name or from the address: 429 with ``Retry-After``
    (:mod:`servesell.service.logins`).
    """
    address = request.client.host if request.client else "?"
    result = log_in(db, name.strip(), password, address=address, throttle=throttle_of(settings))
    user = result.user
    if user is None:
        throttled = result.retry_after is not None
        refused = pages.render(
            request,
            "login.html",
            status_code=429 if throttled else status.HTTP_401_UNAUTHORIZED,
            next=safe_next(next, ""),
            error="login.throttled" if throttled else "login.failed",
            name=name,
        )
        if throttled:
            refused.headers["Retry-After"] = str(result.retry_after)
        return refused
    response = RedirectResponse(safe_next(next, home_of(user.role)), status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        codec.dump(Session.start(user.name)),
        max_age=int(codec.max_age_seconds),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(
    request: Request, db: DbDep, tokens: TokensDep, settings: SettingsDep, _: CsrfChecked
) -> RedirectResponse:
    """End the session on the server too: its cookie is refused afterwards, even if copied."""
    session: Session | None = request.state.session
    if session is not None:
        now = dt.datetime.now(dt.UTC)
        keep_since = now - dt.timedelta(hours=settings.session_hours)
        with write_transaction(db) as conn:
            end_session(conn, session.csrf, at=now, keep_since=keep_since)
        tokens.clear()
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response


def throttle_of(settings: Settings) -> LoginThrottle:
    """The failed-login throttle the settings ask for."""
    return LoginThrottle(
        per_user=settings.login_failures_per_user,
        per_address=settings.login_failures_per_address,
        window_seconds=settings.login_window_minutes * 60,
    )


@router.post("/lang")
def choose(_: CsrfChecked, lang: Field, next: Field = "/") -> RedirectResponse:
    """Remember the interface language (a year) and go back to the page."""
    response = RedirectResponse(safe_next(next, "/"), status.HTTP_303_SEE_OTHER)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
