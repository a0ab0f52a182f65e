"""WeChat official-account template messages: the bill notice, whose link opens the offer page.

WeChat allows template messages for service content only — no advertising — so the
message servesell sends is the customer's bill notice (amount, due date: the template's
``fields``) and only its link leads to the offer page, where the offer is shown. Template
checking requires ``purpose: bill_notice`` for this channel (``docs/channels.md``).

The API takes an access token fetched with the app id and secret (``stable_token``: the
secret travels in the request body, never in a URL) and cached until shortly before it
expires; an answer saying the token expired refreshes it and the message is
retried. ``client_msg_id`` carries our message id, which WeChat uses to drop repeats.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, ClassVar

from servesell.channels.adapters.base import Adapter
from servesell.channels.adapters.http import Answer, HttpClient, json_body, status_result
from servesell.channels.message import OutboundMessage, Result, SendResult
from servesell.domain.offer import Channel

TOKEN_ERRORS = frozenset({40001, 40014, 42001})
"""Access token invalid or expired: fetch a new one and retry."""
RETRY_ERRORS = frozenset({-1, 45009, 45047, 45011})
"""System busy, API or per-user limits: try later."""


class WeChatTemplate(Adapter):
    """Bill notices as WeChat official-account template messages."""

    channel = Channel.WECHAT
    name: ClassVar[str] = "wechat-template"

    def __init__(
        self,
        *,
        api_base: str = "https://api.weixin.qq.com",
        app_id: str,
        app_secret: str,
        timeout: float = 10.0,
        connections: int = 16,
    ) -> None:
        super().__init__(secrets=(app_secret,))
        self.api_base = api_base.rstrip("/")
        self._app_id = app_id
        self._app_secret = app_secret
        self._http = HttpClient(timeout, connections=connections)
        self._token: tuple[str, float] | None = None
        self._token_lock: asyncio.Lock | None = None

    async def _send(self, message: OutboundMessage) -> SendResult:
        token = await self._access_token()
        if isinstance(token, SendResult):
            return token
        payload = {
            "touser": message.to,
            "template_id": message.template,
            "url": message.link,
            "data": {name: {"value": value} for name, value in message.params.items()},
            "client_msg_id": message.id,
        }
        url = f"{self.api_base}/cgi-bin/message/template/send"
        answer = await self._http.post(url, params={"access_token": token}, json_body=payload)
        if isinstance(answer, SendResult):
            return answer
        return self._classify(answer)

    async def aclose(self) -> None:
        """Close the keep-alive connections."""
        await self._http.aclose()

    def _classify(self, answer: Answer) -> SendResult:
        decided = status_result(answer)
        if decided is not None:
            return decided
        data = json_body(answer)
        if data is None:
            return SendResult(Result.AMBIGUOUS, reason=f"unreadable answer: {answer.text[:100]!r}")
        code = int(data.get("errcode", 0) or 0)
        if code == 0:
            return SendResult(Result.SENT, provider_id=str(data.get("msgid") or "") or None)
        reason = f"errcode {code}: {data.get('errmsg', '')}"
        if code in TOKEN_ERRORS:
            self._token = None
            return SendResult(Result.TRANSIENT, reason=reason)
        kind = Result.TRANSIENT if code in RETRY_ERRORS else Result.PERMANENT
        return SendResult(kind, reason=reason)

    async def _access_token(self) -> str | SendResult:
        cached = self._token
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        if self._token_lock is None:  # made on the loop that uses it
            self._token_lock = asyncio.Lock()
        async with self._token_lock:  # one fetch while many sends wait for it
            return await self._fetch_token()

    async def _fetch_token(self) -> str | SendResult:
        cached = self._token
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        body = {
            "grant_type": "client_credential",
            "appid": self._app_id,
            "secret": self._app_secret,
        }
        # the stable-token API takes the secret in the body, never in a URL
        answer = await self._http.post(f"{self.api_base}/cgi-bin/stable_token", json_body=body)
        if isinstance(answer, SendResult):
            return SendResult(Result.TRANSIENT, reason=f"no access token: {answer.reason}")
        data: dict[str, Any] | None = json_body(answer)
        if not data or not data.get("access_token"):
            code = data.get("errcode") if data else answer.status_code
            return SendResult(Result.TRANSIENT, reason=f"no access token (errcode {code})")
        lifetime = float(data.get("expires_in", 7200))
        self._token = (str(data["access_token"]), time.monotonic() + lifetime - 300)
        self._secrets = (self._app_secret, self._token[0])
        return self._token[0]
