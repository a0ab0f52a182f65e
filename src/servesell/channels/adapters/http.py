"""What an HTTP exchange with a provider means for a message, shared by the HTTP adapters.

The line that matters is whether the request may have reached the provider. A refused
connection, a connect timeout or a pool timeout means it did not (retry); a read timeout
or a dropped connection after the request was written means it may have (``ambiguous``:
reconcile, never blindly resend). HTTP 429 and 502/503/504 mean "not processed, try
later"; other 4xx mean the provider refused it; other 5xx and unreadable bodies are
ambiguous.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from servesell.channels.message import Result, SendResult

RETRY_STATUSES = frozenset({408, 425, 429, 502, 503, 504})
_CREDENTIAL = re.compile(r"(?i)(access_token|secret|signature|accesskeyid|token)=[^&\s\"']+")


class RedactQuery(logging.Filter):
    """Masks credentials in URLs that httpx logs (``HTTP Request: POST https://...?access_token=``).

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


def client(timeout: float, *, connections: int = 32) -> httpx.Client:
    """An HTTP client with keep-alive connections, shared by an adapter's threads.

    httpx logs each request's URL at INFO; the URL can carry a credential (WeChat's
    ``access_token``), so its logger gets :class:`RedactQuery` (once).
    """
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, RedactQuery) for f in logger.filters):
        logger.addFilter(RedactQuery())
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.Client(timeout=httpx.Timeout(timeout), limits=limits, trust_env=False)


def post(http: httpx.Client, url: str, **kwargs: Any) -> httpx.Response | SendResult:
    """POST, returning the response, or the result when the exchange itself failed."""
    try:
        return http.post(url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        return SendResult(Result.TRANSIENT, reason=f"provider not reachable: {type(exc).__name__}")
    except httpx.WriteTimeout:
        return SendResult(Result.TRANSIENT, reason="request not fully written (write timeout)")
    except (httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError) as exc:
        return SendResult(Result.AMBIGUOUS, reason=f"no answer after sending: {type(exc).__name__}")
    except httpx.HTTPError as exc:
        return SendResult(Result.AMBIGUOUS, reason=f"HTTP error: {type(exc).__name__}")


def status_result(response: httpx.Response) -> SendResult | None:
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


def json_body(response: httpx.Response) -> dict[str, Any] | None:
    """The response's JSON object, or ``None`` when it is not one (a provider answering garbage)."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
