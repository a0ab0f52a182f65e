"""Login, logout, the language switch, and the landing page of each role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response

from servesell.domain import LANGUAGES
from servesell.http import DbDep
from servesell.store.users import User, user_by_password
from servesell.web.access import home_of, safe_next
from servesell.web.csrf import CsrfChecked
from servesell.web.deps import CodecDep, PagesDep
from servesell.web.session import CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE, Session

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
    _: CsrfChecked,
    name: Field,
    password: Field,
    next: Field = "",
) -> Response:
    """Check name and password; on success start a session and go to ``next`` or home."""
    with db.connect() as conn:
        user = user_by_password(conn, name.strip(), password)
    if user is None:
        return pages.render(
            request,
            "login.html",
            status_code=status.HTTP_401_UNAUTHORIZED,
            next=safe_next(next, ""),
            error="login.failed",
            name=name,
        )
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
def logout(_: CsrfChecked) -> RedirectResponse:
    """End the session."""
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/lang")
def choose(_: CsrfChecked, lang: Field, next: Field = "/") -> RedirectResponse:
    """Remember the interface language (a year) and go back to the page."""
    response = RedirectResponse(safe_next(next, "/"), status.HTTP_303_SEE_OTHER)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
