"""The offer page behind a tracked link, ``/o/{token}``: public, mobile, zh-CN and en.

No login: the token is the capability. The page shows the offer with *accept* and *no,
thanks* (one answer per link, recorded on the original decision) and a way to stop the
channel. An unknown, tampered, expired or already answered token gets a friendly page
and a 404, 410 or 409, never a 500; a client that asks too often gets 429.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import Response

from servesell.domain import OutcomeResult
from servesell.errors import OutcomeError
from servesell.http import DbDep
from servesell.service.links import LinkError, LinkProblem, LinkView, answer, open_link, opt_out
from servesell.store.db import write_transaction
from servesell.web.csrf import CsrfChecked
from servesell.web.deps import PagesDep

router = APIRouter(include_in_schema=False)

PROBLEM_STATUS = {
    LinkProblem.UNKNOWN: status.HTTP_404_NOT_FOUND,
    LinkProblem.EXPIRED: status.HTTP_410_GONE,
    LinkProblem.ANSWERED: status.HTTP_409_CONFLICT,
}


class RateLimiter:
    """At most ``limit`` requests per client address in any ``window`` seconds."""

    def __init__(self, limit: int = 30, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Count one request of ``client``; ``False`` when it is over the limit."""
        now = time.monotonic()
        with self._lock:
            if len(self._hits) > 100_000:
                self._hits.clear()
            hits = self._hits.setdefault(client, deque())
            while hits and now - hits[0] > self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True


class TooManyRequests(Exception):
    """A client over the link pages' rate limit."""


async def limited(request: Request) -> None:
    """Refuse a client that opened link pages too often (the app's :class:`RateLimiter`)."""
    limiter: RateLimiter | None = getattr(request.app.state, "link_limiter", None)
    if limiter is None:
        limiter = request.app.state.link_limiter = RateLimiter()
    client = request.client.host if request.client else "?"
    if not limiter.allow(client):
        raise TooManyRequests


Limited = Annotated[None, Depends(limited)]


@router.get("/o/{token}", response_model=None)
def offer_page(token: str, request: Request, db: DbDep, pages: PagesDep, _: Limited) -> Response:
    """The offer behind the link, with accept, no-thanks and opt-out."""
    try:
        with write_transaction(db) as conn:
            view = open_link(conn, token, now=dt.datetime.now(dt.UTC))
    except LinkError as exc:
        return _problem(request, pages, exc.problem)
    return _page(request, pages, token, view, done=view.link.answer)


@router.post("/o/{token}/accept", response_model=None)
def accept(
    token: str, request: Request, db: DbDep, pages: PagesDep, _: Limited, __: CsrfChecked
) -> Response:
    """Yes: recorded on the original decision (once per link)."""
    return _answer(token, request, db, pages, OutcomeResult.ACCEPTED)


@router.post("/o/{token}/decline", response_model=None)
def decline(
    token: str, request: Request, db: DbDep, pages: PagesDep, _: Limited, __: CsrfChecked
) -> Response:
    """No, thanks: recorded on the original decision (once per link)."""
    return _answer(token, request, db, pages, OutcomeResult.DECLINED)


@router.post("/o/{token}/optout", response_model=None)
def stop(
    token: str, request: Request, db: DbDep, pages: PagesDep, _: Limited, __: CsrfChecked,
    all_marketing: Annotated[bool, Form()] = False,
) -> Response:  # fmt: skip
    """Stop this channel for the customer (and all marketing when ticked)."""
    try:
        with write_transaction(db) as conn:
            view = opt_out(conn, token, all_marketing=all_marketing, now=dt.datetime.now(dt.UTC))
    except LinkError as exc:
        return _problem(request, pages, exc.problem)
    return _page(request, pages, token, view, done="opted_out")


def _answer(
    token: str, request: Request, db: DbDep, pages: PagesDep, result: OutcomeResult
) -> Response:
    try:
        with write_transaction(db) as conn:
            view = answer(conn, token, result, now=dt.datetime.now(dt.UTC))
    except LinkError as exc:
        return _problem(request, pages, exc.problem)
    except OutcomeError:
        return _problem(request, pages, LinkProblem.ANSWERED)
    return _page(request, pages, token, view, done=result.value)


def _page(
    request: Request, pages: PagesDep, token: str, view: LinkView, *, done: str | None
) -> Response:
    return pages.render(
        request, "link_offer.html", token=token, offer=view.offer, done=done, problem=None
    )


def _problem(request: Request, pages: PagesDep, problem: LinkProblem) -> Response:
    return pages.render(
        request,
        "link_offer.html",
        status_code=PROBLEM_STATUS[problem],
        token="",
        offer=None,
        done=None,
        problem=problem.value,
    )
