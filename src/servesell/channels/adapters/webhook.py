"""A generic JSON webhook for other gateways: one signed POST per message.

The body is ``{"id", "channel", "to", "subject", "body", "link", "params", "template"}``;
``Idempotency-Key`` carries our message id so a gateway can drop repeats, and
``X-Servesell-Signature: sha256=<hex>`` is the HMAC-SHA256 of the body with the shared
secret. A 2xx answer may name the gateway's id as ``{"id": ...}``. Receipts come back to
``POST /v1/channels/{channel}/receipts`` as ``{"message_id", "status"}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import ClassVar

from servesell.channels.adapters.base import Adapter
from servesell.channels.adapters.http import HttpClient, json_body, status_result
from servesell.channels.message import OutboundMessage, Result, SendResult
from servesell.domain.offer import Channel

SIGNATURE_HEADER = "X-Servesell-Signature"


def signature(body: bytes, secret: str) -> str:
    """``sha256=<hex HMAC-SHA256 of body>``, the header a webhook receiver checks.

    >>> signature(b"{}", "s")[:15]
    'sha256=143ca8d5'
    """
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Webhook(Adapter):
    """Messages of one channel POSTed as signed JSON to a gateway."""

    name: ClassVar[str] = "webhook"

    def __init__(
        self,
        *,
        channel: Channel,
        url: str,
        secret: str,
        timeout: float = 10.0,
        connections: int = 32,
    ) -> None:
        super().__init__(secrets=(secret,))
        self.url = url
        self.channel = channel
        self._secret = secret
        self._http = HttpClient(timeout, connections=connections)

    async def _send(self, message: OutboundMessage) -> SendResult:
        payload = {
            "id": message.id,
            "channel": message.channel.value,
            "to": message.to,
            "subject": message.subject,
            "body": message.body,
            "link": message.link,
            "params": dict(message.params),
            "template": message.template,
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": message.id,
            SIGNATURE_HEADER: signature(body, self._secret),
        }
        answer = await self._http.post(self.url, data=body, headers=headers)
        if isinstance(answer, SendResult):
            return answer
        decided = status_result(answer)
        if decided is not None:
            return decided
        data = json_body(answer)
        provider_id = str(data["id"]) if data and data.get("id") else None
        return SendResult(Result.SENT, provider_id=provider_id)

    async def aclose(self) -> None:
        """Close the keep-alive connections."""
        await self._http.aclose()
