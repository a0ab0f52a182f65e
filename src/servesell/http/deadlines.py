"""Connections that do not send a request in time are closed: idle or slow clients hold nothing.

uvicorn times out a keep-alive connection *between* requests, but not one that never sends
a request, nor one that drips a request's head or body a byte at a time (it stops the
keep-alive clock at the first byte). :class:`DeadlineProtocol` is uvicorn's httptools
protocol with two deadlines more:

* the request head (request line and headers) must arrive within ``header_timeout_seconds``
  (default 10 s) of the connection opening or the request's first byte, and be at most
  ``MAX_HEAD_BYTES`` (64 KiB: 431 beyond);
* the body must arrive within ``body_timeout_seconds`` (default 60 s) of the head.

A request that misses its deadline gets ``408 Request Timeout`` (JSON, like every error)
and the connection is closed. ``servesell serve`` runs it (``http=`` of uvicorn).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from servesell.config import get_settings

if TYPE_CHECKING:
    from asyncio import TimerHandle, Transport

MAX_HEAD_BYTES = 64 * 1024
"""The largest request head (request line and headers) read; a bigger one is a 431."""


class DeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on the request head and on the body."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.header_timeout = settings.header_timeout_seconds
        self.body_timeout = settings.body_timeout_seconds
        self.deadline: TimerHandle | None = None
        self.head_bytes: int | None = 0

    def connection_made(self, transport: Transport) -> None:  # type: ignore[override]
        """Start the clock on the first request's head."""
        super().connection_made(transport)
        self._arm(self.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock."""
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Parse as uvicorn does; 431 when ``MAX_HEAD_BYTES`` came without the head's end."""
        if self.head_bytes is not None:
            self.head_bytes += len(data)
        super().data_received(data)
        if self.head_bytes is not None and self.head_bytes > MAX_HEAD_BYTES:
            self._refuse(431, f"request head larger than {MAX_HEAD_BYTES} bytes")

    def on_message_begin(self) -> None:
        """A new request's first byte: its head must follow within the header timeout."""
        super().on_message_begin()
        if self.head_bytes is None:
            self.head_bytes = 0
            self._arm(self.header_timeout)

    def on_headers_complete(self) -> None:
        """The head is in: the body must follow within the body timeout."""
        self.head_bytes = None
        self._arm(self.body_timeout)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The whole request is in: the app's answer is not timed here."""
        self._disarm()
        super().on_message_complete()

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self.deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _expired(self) -> None:
        self.deadline = None
        self._refuse(408, "the request did not arrive in time")

    def _refuse(self, code: int, detail: str) -> None:
        """Answer ``code`` when no response has begun, then close the connection."""
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or cycle.response_complete or not cycle.response_started:
            body = json.dumps({"detail": detail}).encode()
            reason = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}[code]
            self.transport.write(
                b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s"
                % (code, reason, len(body), body)
            )
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.close()
