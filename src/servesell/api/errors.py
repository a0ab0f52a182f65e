"""Every user mistake becomes a 4xx with a clear message; status codes live only here and in routes.

ServesellError subclasses map to statuses; malformed bodies (bad JSON, bad UTF-8, wrong
types) become 422 (or 400) with the location of the problem; oversized bodies are cut
off with 413 before they are read into memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.routing import Match

from servesell.errors import (
    AccessError,
    BusyError,
    CatalogError,
    InputFileError,
    NotFoundError,
    OutcomeError,
    RuleError,
    SchemaError,
    ServesellError,
)

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

_STATUS: tuple[tuple[type[ServesellError], int], ...] = (
    (NotFoundError, status.HTTP_404_NOT_FOUND),
    (AccessError, status.HTTP_403_FORBIDDEN),
    (BusyError, status.HTTP_429_TOO_MANY_REQUESTS),
    (OutcomeError, status.HTTP_409_CONFLICT),
    (RuleError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (CatalogError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (SchemaError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (InputFileError, status.HTTP_422_UNPROCESSABLE_CONTENT),
)


def install(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""
    app.add_exception_handler(ServesellError, _servesell_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(UnicodeDecodeError, _bad_encoding)
    app.add_exception_handler(ValidationError, _invalid_value)


def status_for(exc: ServesellError) -> int:
    """The HTTP status of a ServesellError (400 when no subclass says otherwise)."""
    for kind, code in _STATUS:
        if isinstance(exc, kind):
            return code
    return status.HTTP_400_BAD_REQUEST


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


async def _bad_encoding(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"detail": "request body is not valid UTF-8"}, status_code=status.HTTP_400_BAD_REQUEST
    )


class BodyLimit:
    """ASGI middleware: 413 for bodies over ``max_bytes`` (declared or streamed)."""

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

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(send, self.max_bytes)


class _TooLarge(Exception):
    pass


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
