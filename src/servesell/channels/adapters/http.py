"""What an HTTP exchange with a provider means for a message, shared by the HTTP adapters.

The line that matters is whether the request may have reached the provider. A refused
connection, a connect timeout or a pool timeout means it did not (retry); a read timeout
or a dropped connection after the request was written means it may have (``ambiguous``:
reconcile, never blindly resend). HTTP 429 and 502/503/504 mean "not processed, try
later"; other 4xx mean the provider refused it; other 5xx and unreadable bodies are
ambiguous.
"""

from __future__ import annotations

from typing import Any

import httpx

from servesell.channels.message import Result, SendResult

RETRY_STATUSES = frozenset({408, 425, 429, 502, 503, 504})


def client(timeout: float, *, connections: int = 32) -> httpx.Client:
    """An HTTP client with keep-alive connections, shared by an adapter's threads."""
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
