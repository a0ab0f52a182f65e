"""CSRF protection for every state-changing form and htmx request of the web app.

A logged-in browser's token is the one in its signed session; before login (the login
form itself) it is a random token in its own cookie (double submit). Forms send it as
the hidden field ``csrf_token``; htmx sends it as the ``X-CSRF-Token`` header (set once
on ``<body hx-headers>``). A request without the right token is refused with 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from servesell.web.session import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    Session,
    new_token,
    same_token,
)


class CsrfRejected(Exception):
    """A state-changing request without the page's CSRF token."""


def csrf_token(request: Request) -> str:
    """The token pages embed for this browser (made and set as a cookie when it has none)."""
    session: Session | None = getattr(request.state, "session", None)
    if session is not None:
        return session.csrf
    token: str | None = getattr(request.state, "new_csrf", None) or request.cookies.get(CSRF_COOKIE)
    if not token:
        token = new_token()
        request.state.new_csrf = token
    return token


async def require_csrf(request: Request) -> None:
    """Refuse the request unless it carries this browser's CSRF token."""
    session: Session | None = getattr(request.state, "session", None)
    expected = session.csrf if session is not None else request.cookies.get(CSRF_COOKIE)
    sent: object = request.headers.get(CSRF_HEADER)
    if sent is None and _is_form(request):
        sent = (await request.form()).get(CSRF_FIELD)
    if not same_token(sent, expected):
        raise CsrfRejected


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


CsrfChecked = Annotated[None, Depends(require_csrf)]
"""Declare after the user parameter, so an expired login redirects before this check."""
