"""The process ``servesell serve`` runs: one ASGI app serving the JSON API and the web app.

This is the composition root: it builds the process's long-lived parts (database, engine
source, call desk, token cache) once and mounts :mod:`servesell.api` and
:mod:`servesell.web` on one FastAPI app, which never import each other.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from servesell import __version__, api, web
from servesell.api.errors import AllowHeader, BodyLimit
from servesell.config import Settings, get_settings
from servesell.decide.channel import ChannelPrices
from servesell.domain import Channel
from servesell.errors import ServesellError
from servesell.http.masking import AccessLog
from servesell.service.engines import LiveEngine
from servesell.service.outbox import LinkBase
from servesell.service.screen import CallDesk
from servesell.service.tokens import TokenCache
from servesell.store import open_db

MAX_BODY_BYTES = 16 * 1024 * 1024
logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, seed: int | None = None) -> FastAPI:
    """Build the app over ``settings.db_url`` (migrated on start)."""
    settings = settings or get_settings()
    tz = ZoneInfo(settings.timezone)
    engines = LiveEngine(tz=tz, seed=seed, prices=channel_prices(settings))
    links = LinkBase(settings.public_url, tz)
    db = open_db(
        settings.db_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
    )
    desk = CallDesk(db, engines, language=settings.language, links=links)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        warm(desk)
        settle_heap()
        engines.start_learning(desk.db)
        stop = start_outbox(desk, settings) if settings.outbox_worker else None
        yield
        if stop is not None:
            stop()
        engines.stop_learning()
        desk.db.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="servesell",
        version=__version__,
        description=api.DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.desk = desk
    app.state.tokens = TokenCache()
    api.mount(app)
    web.mount(app, settings)
    app.add_middleware(AllowHeader, router=app.router)
    app.add_middleware(AccessLog)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    logging.getLogger("servesell.access").setLevel(logging.INFO)
    return app


def warm(desk: CallDesk) -> None:
    """Build the decision engine now, so a worker's first live call does not wait for it.

    A database that is not reachable yet is not fatal here: the engine is then built on
    the first request, and ``/readyz`` says whether the database answers; nor is a
    database without a schema or catalog yet (the first call then says what is missing).
    """
    try:
        with desk.db.connect() as conn:
            desk.engines.get(conn)
    except (SQLAlchemyError, ServesellError) as exc:
        logger.warning("decision engine not built at start (%s); built on first call", exc)


def settle_heap() -> None:
    """Move what start-up built (modules, the engine) out of the cycle collector's view.

    A worker holds a few hundred thousand long-lived objects; every full collection
    walked them all, a pause taken inside some request (``bench/api.py``'s p99). Frozen
    objects are never collected nor freed; what requests allocate is collected as before.
    """
    gc.collect()
    gc.freeze()


def start_outbox(desk: CallDesk, settings: Settings) -> Callable[[], None]:
    """Deliver the outbox from a thread of this worker; returns what stops it.

    Several workers (and nodes) may each run one: messages are claimed under leases.
    """
    from servesell.service.adapters import adapters_from_settings
    from servesell.service.delivery import Worker, start_in_thread

    tz = desk.links.tz if desk.links else ZoneInfo(settings.timezone)
    worker = Worker(desk.db, adapters_from_settings(settings), tz=tz)
    thread, event = start_in_thread(worker)

    def stop() -> None:
        event.set()
        thread.join(timeout=30)
        worker.close()

    return stop


def channel_prices(settings: Settings) -> ChannelPrices:
    """The prices channel choice weighs (talk time, waiting, messages), from the settings."""
    return ChannelPrices(
        agent_second=settings.agent_cost_per_hour / 3600.0,
        wait_second=settings.wait_cost_per_minute / 60.0,
        message={Channel(k): v for k, v in settings.message_prices.items()},
    )


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory servesell.server:app_from_env`` (reads SERVESELL_*)."""
    return create_app(Settings())
