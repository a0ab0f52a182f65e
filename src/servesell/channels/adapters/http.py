"""What an HTTP exchange with a provider means for a message, shared by the HTTP adapters.

The line that matters is whether the request may have reached the provider. A refused
connection, or no connection within the timeout (none free in the pool, or none could be
opened), means it did not (retry); a read timeout or a dropped connection after the
request was written means it may have (``ambiguous``: reconcile, never blindly resend).
HTTP 429 and 502/503/504 mean "not processed, try later"; other 4xx mean the provider
refused it; other 5xx and unreadable bodies are ambiguous.

:class:`HttpClient` keeps an adapter's keep-alive connections (aiohttp, on the channel
loop; measured for ``bench/outbox.py`` at about a third of the CPU a thread-per-send
httpx client costs per request). aiohttp is imported when the first request is made,
not when a command line that never sends imports the adapters.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from servesell.channels.message import Result, SendResult

if TYPE_CHECKING:
    from collections.abc import Mapping

    import aiohttp

RETRY_STATUSES = frozenset({408, 425, 429, 502, 503, 504})
_CREDENTIAL = re.compile(r"(?i)(access_token|secret|signature|accesskeyid|token)=[^&\s\"']+")


class RedactQuery(logging.Filter):
    """Masks credentials in URLs a client library logs (``POST https://...?access_token=``).

    >>> RedactQuery().redact("https://x/send?access_token=abc&b=1")
    'https://x/send?access_token=***&b=1'
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's arguments, keep the record."""
        if isinstance(record.args, tuple):
            record.args = tuple(self.redact(str(a)) for a in record.args)
        record.msg = self.redact(str(record.msg))
        return True

    @staticmethod
    def redact(text: str) -> str:
        """``text`` with every credential-looking query value masked."""
        return _CREDENTIAL.sub(lambda m: f"{m.group(1)}=***", text)


@dataclass(frozen=True, slots=True)
class Answer:
    """A provider's HTTP answer, read in full."""

    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self.content.decode(errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON (``ValueError`` when it is not JSON)."""
        return json.loads(self.content)


class HttpClient:
    """Keep-alive connections to one provider, used from the channel loop.

    The aiohttp session is made on first use, inside the loop that uses it (again after
    :meth:`aclose`, or in a forked child), and its loggers get :class:`RedactQuery`.
    """

    def __init__(self, timeout: float, *, connections: int = 32) -> None:
        self.timeout = timeout
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def post(
        self,
        url: str,
        *,
        data: bytes | None = None,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer | SendResult:
        """POST, returning the answer, or the result when the exchange itself failed."""
        session = self._open()
        try:
            async with session.post(
                url, data=data, json=json_body, params=params, headers=headers
            ) as response:
                return Answer(response.status, await response.read())
        except Exception as exc:  # classified by how far the exchange got
            return exchange_failed(exc)

    async def aclose(self) -> None:
        """Close the connections (idempotent)."""
        session, self._session = self._session, None
        if session is not None and not session.closed and self._loop is asyncio.get_running_loop():
            await session.close()

    def _open(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            import aiohttp

            for name in ("aiohttp.client", "aiohttp.internal"):
                logger = logging.getLogger(name)
                if not any(isinstance(f, RedactQuery) for f in logger.filters):
                    logger.addFilter(RedactQuery())
            timeout = aiohttp.ClientTimeout(
                total=None, connect=self.timeout, sock_read=self.timeout
            )
            connector = aiohttp.TCPConnector(limit=self.connections, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=timeout, trust_env=False
            )
            self._loop = loop
        return self._session


def exchange_failed(exc: Exception) -> SendResult:
    """What an exception from an HTTP exchange means: not sent, or perhaps sent."""
    import aiohttp

    name = type(exc).__name__
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return SendResult(Result.TRANSIENT, reason=f"provider not reachable: {name}")
    if isinstance(exc, aiohttp.ClientConnectionError | aiohttp.ClientPayloadError | TimeoutError):
        return SendResult(Result.AMBIGUOUS, reason=f"no answer after sending: {name}")
    if isinstance(exc, aiohttp.ClientError):
        return SendResult(Result.AMBIGUOUS, reason=f"HTTP error: {name}")
    raise exc


def status_result(response: Answer) -> SendResult | None:
    """The result an HTTP status alone decides, or ``None`` for a 2xx to read further."""
    code = response.status_code
    if 200 <= code < 300:
        return None
    reason = f"HTTP {code}: {response.text[:200]}"
    if code in RETRY_STATUSES:
        return SendResult(Result.TRANSIENT, reason=reason)
    if 400 <= code < 500:
        return SendResult(Result.PERMANENT, reason=reason)
    return SendResult(Result.AMBIGUOUS, reason=reason)


def json_body(response: Answer) -> dict[str, Any] | None:
    """The response's JSON object, or ``None`` when it is not one (a provider answering garbage).

    >>> json_body(Answer(200, b'{"Code": "OK"}')), json_body(Answer(200, b"<html>"))
    ({'Code': 'OK'}, None)
    """
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
