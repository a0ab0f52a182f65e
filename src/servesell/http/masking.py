"""Request logging that never writes a full phone number or customer id.

>>> mask_text("GET /v1/customers/C0012345 from 13812345678")
'GET /v1/customers/C0****45 from 138****5678'
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

_PHONE = re.compile(r"(?<!\d)(\+?\d{3})\d{4,}(\d{4})(?!\d)")
_CUSTOMER_PATH = re.compile(r"(/customers/)([^/?#\s]+)")

log = logging.getLogger("servesell.access")


def mask_id(value: str) -> str:
    """Keep the first two and last two characters of an id."""
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def mask_text(text: str) -> str:
    """Mask phone numbers and customer ids in paths within ``text``."""
    text = _CUSTOMER_PATH.sub(lambda m: m.group(1) + mask_id(m.group(2)), text)
    return _PHONE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


class AccessLog:
    """ASGI middleware: one masked line per request (method, path, status, milliseconds)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Log after the response started; never the body, never a raw id."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        code = 500

        async def capture(message: Message) -> None:
            nonlocal code
            if message["type"] == "http.response.start":
                code = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            # Without a handler on the way to the root, Python drops an INFO record
            # (its last-resort handler writes warnings only): it is not even formatted.
            if log.isEnabledFor(logging.INFO) and log.hasHandlers():
                took = (time.perf_counter() - start) * 1000
                log.info("%s %s %d %.1fms", scope["method"], mask_text(scope["path"]), code, took)
