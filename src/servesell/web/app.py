"""Mount the web app on the API's FastAPI app: session middleware, pages, static files."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import Request, status
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from servesell.web.access import LoginRequired, PageForbidden
from servesell.web.csrf import CsrfRejected
from servesell.web.deps import is_htmx
from servesell.web.i18n import translator
from servesell.web.pages import Pages, language_of
from servesell.web.routes import (
    agent,
    analyst,
    auth,
    handovers,
    journeys,
    links,
    pay,
    scripts,
    supervisor,
)
from servesell.web.session import SessionCodec, SessionMiddleware, session_key

if TYPE_CHECKING:
    from fastapi import FastAPI

    from servesell.config import Settings

STATIC = __file__.rsplit("/", 1)[0] + "/static"


def mount(app: FastAPI, settings: Settings) -> None:
    """Add the login, agent, supervisor and analyst pages and ``/static`` to ``app``.

    Sessions use the app's database (``app.state.desk.db``) and token cache.
    """
    db = app.state.desk.db
    codec = SessionCodec(session_key(db, settings), settings.session_hours * 3600)
    pages = Pages(settings)
    app.state.pages = pages
    app.state.session_codec = codec
    for module in (auth, agent, journeys, supervisor, analyst, links, pay, scripts, handovers):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(packages=[("servesell.web", "static")]), name="static")
    app.add_middleware(SessionMiddleware, codec=codec, db=db, users=app.state.tokens)

    async def login_required(request: Request, exc: Exception) -> Response:
        target = "/login?next=" + quote(_here(request), safe="/")
        if is_htmx(request):
            return Response(status_code=status.HTTP_204_NO_CONTENT, headers={"HX-Redirect": target})
        return RedirectResponse(target, status.HTTP_303_SEE_OTHER)

    async def forbidden(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageForbidden)
        t = translator(language_of(request))
        return pages.message(
            request,
            "forbidden.title",
            "forbidden.body",
            status.HTTP_403_FORBIDDEN,
            needed=t(f"role.{exc.needed.value}"),
            role=t(f"role.{exc.user.role.value}"),
        )

    async def csrf_rejected(request: Request, exc: Exception) -> Response:
        return pages.message(request, "csrf.title", "csrf.body", status.HTTP_403_FORBIDDEN)

    async def too_many(request: Request, exc: Exception) -> Response:
        return pages.message(request, "link.too_many.title", "link.too_many.body", 429)

    app.add_exception_handler(links.TooManyRequests, too_many)
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(PageForbidden, forbidden)
    app.add_exception_handler(CsrfRejected, csrf_rejected)


def _here(request: Request) -> str:
    """The page to come back to after login (the referring page for htmx fragments)."""
    if request.method != "GET" or is_htmx(request):
        return "/"
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")
