"""``POST /v1/decisions`` answered without FastAPI's routing and dependency solving.

The screen pop is the API's hot path (issue 15: 600 decisions/s on 2 cores). Through
FastAPI, a decision's event-loop work was mostly generic: matching the path against every
included router, solving the dependency tree, reading and checking the body, the
exception and exit-stack layers. :class:`DecisionFastPath` takes only the requests whose
answer it can give exactly as the route does, and passes every other request on untouched:

* ``POST /v1/decisions``, no query string, ``Content-Type: application/json``;
* a bearer token this worker verified recently (its token cache) whose user may act as
  an agent — otherwise the route's own check answers (401, 403, the database look-up);
* a body that FastAPI's own steps accept: ``json.loads``, then
  :class:`~servesell.api.schemas.DecisionRequest` validated from the parsed value — any
  other body is handed to the route as it came (its 400/422 answers unchanged).

The decision itself is the route's (:func:`~servesell.api.routes.decisions.decided`); an
exception it raises goes to the app's exception handler for its class, as FastAPI's
exception layer does, and one without a handler propagates (500) as before.
"""

from __future__ import annotations

import inspect
import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from servesell.api.routes.decisions import decided
from servesell.api.schemas import DecisionRequest
from servesell.http.deps import known_agent_call

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

PATH = "/v1/decisions"
_BEARER = "bearer"


class DecisionFastPath:
    """ASGI middleware: the screen pops it can answer as the route does, the rest passed on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a recognised decision request here; hand anything else to ``app``."""
        token = _token(scope) if _is_screen_pop(scope) else None
        call = known_agent_call(scope["app"].state, token) if token else None
        if call is None:
            await self.app(scope, receive, send)
            return
        messages, body = await _read_body(receive)
        request = _request_body(body) if body is not None else None
        if request is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        try:
            response = await decided(request, call, explain=False)
        except Exception as exc:
            handler = _handler(scope["app"].exception_handlers, exc)
            if handler is None:
                raise
            response = handler(Request(scope, receive), exc)
            if inspect.isawaitable(response):
                response = await response
        await response(scope, receive, send)


def _is_screen_pop(scope: Scope) -> bool:
    """``POST /v1/decisions`` without a query string and with a JSON body."""
    if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
        return False
    if scope.get("query_string"):
        return False
    return _header(scope, b"content-type") == "application/json"


def _token(scope: Scope) -> str | None:
    """The bearer token as FastAPI's ``HTTPBearer`` reads it (None when it would not)."""
    authorization = _header(scope, b"authorization")
    if not authorization:
        return None
    scheme, _, credentials = authorization.partition(" ")
    credentials = credentials.strip()
    if not scheme or not credentials or scheme.lower() != _BEARER:
        return None
    return credentials


def _header(scope: Scope, name: bytes) -> str | None:
    """The first value of header ``name`` (lower case), decoded as Starlette does (latin-1)."""
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


async def _read_body(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The messages read and the whole body (None if the client left before sending it)."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return messages, b"".join(chunks)


def _request_body(body: bytes) -> DecisionRequest | None:
    """The body as the route receives it, or None where FastAPI would refuse it (or not know).

    The same two steps as FastAPI's: the JSON parsed by ``json.loads`` (as Starlette's
    ``Request.json``), then the model validated from the parsed value.
    """
    if not body:
        return None
    try:
        value: Any = json.loads(body)
        return DecisionRequest.model_validate(value)
    except Exception:  # whatever FastAPI would answer, it answers itself
        return None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` that first gives back the messages already read."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def _handler(handlers: dict[Any, Any], exc: Exception) -> Any:
    """The app's handler for ``exc``'s class or its nearest base (Starlette's lookup).

    A handler for ``Exception`` itself is the server-error layer's, outside this one.
    """
    for kind in type(exc).__mro__:
        if kind in handlers and kind is not Exception:
            return handlers[kind]
    return None
