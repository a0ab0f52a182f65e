"""The FastAPI application: versioned JSON endpoints for CTI, ACD and CRM integration."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from zoneinfo import ZoneInfo

from fastapi import FastAPI

from servesell import __version__, web
from servesell.api import errors
from servesell.api.masking import AccessLog
from servesell.api.routes import admin, customers, decisions, kpis, offers, policy, queues
from servesell.config import Settings, get_settings
from servesell.service.runtime import Runtime
from servesell.store import open_db

MAX_BODY_BYTES = 16 * 1024 * 1024

DESCRIPTION = """\
servesell tells the agent which offer (if any) fits the calling customer now, and only
when the queue can afford the extra seconds. Every endpoint but `/healthz` and
`/readyz` needs `Authorization: Bearer <token>` (tokens from `servesell users add`).
Roles: **agent** (decisions, outcomes, mode), **supervisor** (+ KPIs, queue state, gate,
policy view, audit), **admin** (+ catalog, policy, customers, users).

The same users log in to the web app at `/login`; a browser session also authenticates
these endpoints (state-changing calls then need the `X-CSRF-Token` header).
"""


def create_app(settings: Settings | None = None, *, seed: int | None = None) -> FastAPI:
    """Build the app over ``settings.db_url`` (migrated on start)."""
    settings = settings or get_settings()
    db = open_db(
        settings.db_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    runtime = Runtime(db, tz=ZoneInfo(settings.timezone), seed=seed)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runtime.warm()
        yield
        runtime.db.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="servesell",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.runtime = runtime
    errors.install(app)
    for module in (admin, decisions, queues, customers, offers, policy, kpis):
        app.include_router(module.router)
    web.mount(app, settings, runtime)
    app.add_middleware(errors.AllowHeader, router=app.router)
    app.add_middleware(AccessLog)
    app.add_middleware(errors.BodyLimit, max_bytes=MAX_BODY_BYTES)
    logging.getLogger("servesell.access").setLevel(logging.INFO)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory servesell.api.main:app_from_env`` (reads SERVESELL_*)."""
    return create_app(Settings())
