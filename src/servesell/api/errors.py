"""Every user mistake becomes a 4xx with a clear message; status codes live only here and in routes.

ServesellError subclasses map to statuses (422 unless a subclass says otherwise: the
request was understood and refused); malformed bodies (bad JSON, wrong types) become 422
with the location of the problem, bad UTF-8 a 400; oversized bodies are cut off with 413
before they are read into memory, streamed or not. A database that does not answer is a
503 with ``Retry-After``, in the same ``{"detail": ...}`` body as every other error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.routing import Match

from servesell.errors import (
    AccessError,
    BusyError,
    NotFoundError,
    OutcomeError,
    RuleError,
    ServesellError,
)

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

_STATUS: tuple[tuple[type[ServesellError], int], ...] = (
    (NotFoundError, status.HTTP_404_NOT_FOUND),
    (AccessError, status.HTTP_403_FORBIDDEN),
    (BusyError, status.HTTP_429_TOO_MANY_REQUESTS),
    (OutcomeError, status.HTTP_409_CONFLICT),
)
RETRY_AFTER_SECONDS = 5
"""What a 503 asks a client to wait: a database restart or fail-over takes seconds."""
_OUTAGE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
"""What SQLAlchemy raises when the database does not answer (down, restarting, locked)."""


def install(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""
    app.add_exception_handler(ServesellError, _servesell_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(UnicodeDecodeError, _bad_encoding)
    app.add_exception_handler(ValidationError, _invalid_value)
    for outage in _OUTAGE:
        app.add_exception_handler(outage, _database_unavailable)


def status_for(exc: ServesellError) -> int:
    """The HTTP status of a ServesellError (422 when no subclass says otherwise)."""
    for kind, code in _STATUS:
        if isinstance(exc, kind):
            return code
    return status.HTTP_422_UNPROCESSABLE_CONTENT


async def _servesell_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServesellError)
    body: dict[str, Any] = {"detail": str(exc)}
    if isinstance(exc, RuleError):
        body["position"] = exc.position
    headers = {"Retry-After": "1"} if isinstance(exc, BusyError) else None
    return JSONResponse(body, status_code=status_for(exc), headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors()
    ]
    return JSONResponse({"detail": problems}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _invalid_value(request: Request, exc: Exception) -> JSONResponse:
    """A domain model refused values that each passed the request schema (cross-field rules)."""
    assert isinstance(exc, ValidationError)
    problems = [
        {"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
        for e in exc.errors()
    ]
    return JSONResponse({"detail": problems}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """503 and ``Retry-After``: the request was fine, the database did not answer.

    The cause is named by its kind only (a driver's message can carry host names).
    """
    kind = type(getattr(exc, "orig", None) or exc).__name__
    return JSONResponse(
        {"detail": f"the database is not available right now ({kind}); retry shortly"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _bad_encoding(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"detail": "request body is not valid UTF-8"}, status_code=status.HTTP_400_BAD_REQUEST
    )


class BodyLimit:
    """ASGI middleware: 413 for bodies over ``max_bytes`` (declared or streamed).

    A streamed (chunked) body is counted as the app reads it; past the limit the 413 is
    sent at once and the app is told the client left, so whatever the app would have
    answered instead (FastAPI turns a failed body read into a 400) is dropped.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Reject early on Content-Length, and count the streamed bytes otherwise."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _too_large(send, self.max_bytes)
            return
        seen = 0
        started = refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                refused = True
                if not started:
                    await _too_large(send, self.max_bytes)
                return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if not refused:
                started = True
                await send(message)

        await self.app(scope, counted, guarded)


async def _too_large(send: Send, limit: int) -> None:
    body = f'{{"detail":"request body larger than {limit} bytes"}}'.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class AllowHeader:
    """ASGI middleware: a 405 lists every method the path supports, not just one route's."""

    def __init__(self, app: ASGIApp, router: Any) -> None:
        self.app = app
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite the Allow header of 405 responses."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def fix(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                headers = [(k, v) for k, v in message["headers"] if k.lower() != b"allow"]
                headers.append((b"allow", ", ".join(sorted(self._methods(scope))).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, fix)

    def _methods(self, scope: Scope) -> set[str]:
        methods: set[str] = set()
        for route in self.router.routes:
            match, _ = route.matches({**scope, "method": "GET"})
            if match is not Match.NONE:
                methods |= set(getattr(route, "methods", None) or ())
        return methods
