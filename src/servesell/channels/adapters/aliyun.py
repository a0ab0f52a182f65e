"""SMS through a provider shaped like Aliyun SendSms (dysmsapi 2017-05-25, RPC signature v1).

One POST per message: sign name, template code, the template's parameters as JSON and our
message id as ``OutId`` (echoed in receipts and in ``QuerySendDetails``). The provider has
no idempotency of its own, so nothing here retries: the worker decides, and an ambiguous
answer is reconciled through :meth:`AliyunSms._lookup` by ``OutId`` rather than resent.
Requests are signed with HMAC-SHA1 over the sorted, percent-encoded parameters; the
example is the one in Aliyun's signature documentation:

>>> sign({"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
...       "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
...       "SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z",
...       "Version": "2014-05-26"}, "testsecret", method="GET")
'OLeaidS1JvxuMvnyHOwuJ+uX5qY='
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import json
import uuid
from typing import Any, ClassVar
from urllib.parse import quote

from servesell.channels.adapters.base import Adapter
from servesell.channels.adapters.http import Answer, HttpClient, json_body, status_result
from servesell.channels.message import Lookup, OutboundMessage, Result, SendResult
from servesell.channels.status import Status
from servesell.domain.offer import Channel

RETRY_CODES = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",
        "isp.SYSTEM_ERROR",
        "isp.OUT_OF_SERVICE",
        "Throttling.User",
        "isv.DAY_LIMIT_CONTROL",
        "ServiceUnavailable",
    }
)
"""Provider codes that mean "not now": throttled, day limit, system busy."""

SEND_STATUS = {1: Status.SENT, 2: Status.UNDELIVERED, 3: Status.DELIVERED}
"""``QuerySendDetails`` ``SendStatus``: 1 waiting for the carrier, 2 failed, 3 delivered."""
CHINA = dt.timezone(dt.timedelta(hours=8))


class AliyunSms(Adapter):
    """SMS through an Aliyun-SendSms-shaped HTTP API."""

    channel = Channel.SMS
    name: ClassVar[str] = "aliyun-sms"

    def __init__(
        self,
        *,
        endpoint: str,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        region: str = "cn-hangzhou",
        timeout: float = 10.0,
        connections: int = 32,
    ) -> None:
        super().__init__(secrets=(access_key_secret,))
        self.endpoint = endpoint
        self.sign_name = sign_name
        self.region = region
        self._key_id = access_key_id
        self._key_secret = access_key_secret
        self._http = HttpClient(timeout, connections=connections)

    async def _send(self, message: OutboundMessage) -> SendResult:
        params = {
            "PhoneNumbers": message.to,
            "SignName": self.sign_name,
            "TemplateCode": message.template,
            "TemplateParam": json.dumps(dict(message.params), ensure_ascii=False),
            "OutId": message.id,
        }
        answer = await self._post("SendSms", params)
        if isinstance(answer, SendResult):
            return answer
        data = json_body(answer)
        decided = status_result(answer) if data is None or "Code" not in data else None
        if decided is not None:
            return decided
        if data is None:
            return SendResult(Result.AMBIGUOUS, reason=f"unreadable answer: {answer.text[:100]!r}")
        return _classify(data)

    async def _lookup(self, message: OutboundMessage) -> Lookup | None:
        """Look for our ``OutId`` among the phone's messages of today and yesterday (UTC+8)."""
        today = dt.datetime.now(CHINA).date()
        for day in (today, today - dt.timedelta(days=1)):
            found = await self._details(message, day)
            if found is None or found.status is not None:
                return found
        return Lookup(None, reason="provider has no record of this OutId")

    async def _details(self, message: OutboundMessage, day: dt.date) -> Lookup | None:
        params = {
            "PhoneNumber": message.to,
            "SendDate": day.strftime("%Y%m%d"),
            "PageSize": "50",
            "CurrentPage": "1",
        }
        answer = await self._post("QuerySendDetails", params)
        data = None if isinstance(answer, SendResult) else json_body(answer)
        if data is None or data.get("Code") != "OK":
            return None
        details = data.get("SmsSendDetailDTOs", {}).get("SmsSendDetailDTO", [])
        for item in details if isinstance(details, list) else []:
            if isinstance(item, dict) and item.get("OutId") == message.id:
                status = SEND_STATUS.get(int(item.get("SendStatus", 1)), Status.SENT)
                return Lookup(status, item.get("BizId"), str(item.get("ErrCode", "")))
        return Lookup(None)

    async def aclose(self) -> None:
        """Close the keep-alive connections."""
        await self._http.aclose()

    async def _post(self, action: str, params: dict[str, str]) -> Answer | SendResult:
        """POST ``action`` signed, as a form body encoded once (the signed canonical string)."""
        common = {
            "AccessKeyId": self._key_id,
            "Action": action,
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        canonical = _canonical({**common, **params})
        signature = _signature(canonical, self._key_secret, "POST")
        body = f"{canonical}&Signature={_enc(signature)}".encode()
        return await self._http.post(self.endpoint, data=body, headers=FORM)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def sign(params: dict[str, str], secret: str, *, method: str) -> str:
    """Aliyun RPC signature v1: base64 HMAC-SHA1 over ``METHOD&%2F&encoded(sorted params)``."""
    return _signature(_canonical(params), secret, method)


def _canonical(params: dict[str, str]) -> str:
    """The sorted, percent-encoded parameters (also a valid form body: no ``+`` for spaces)."""
    return "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(params.items()))


def _signature(canonical: str, secret: str, method: str) -> str:
    to_sign = f"{method}&%2F&{_reencoded(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@functools.lru_cache(maxsize=1024)
def _enc(text: str) -> str:
    """RFC 3986 percent-encoding (most names and values repeat from message to message)."""
    return quote(text, safe="-_.~")


def _reencoded(canonical: str) -> str:
    """``_enc(canonical)`` for an already encoded canonical string, without a second pass.

    It holds only unreserved characters, ``%``, ``=`` and ``&``, so only those three change:

    >>> text = _canonical({"a b": "1+2=3", "Sign": "示例&x"})
    >>> _reencoded(text) == quote(text, safe="-_.~")
    True
    """
    return canonical.replace("%", "%25").replace("=", "%3D").replace("&", "%26")


def _classify(data: dict[str, Any]) -> SendResult:
    code = str(data.get("Code", ""))
    if code == "OK":
        return SendResult(Result.SENT, provider_id=str(data.get("BizId") or "") or None)
    reason = f"{code}: {data.get('Message', '')}"
    if code in RETRY_CODES or code.startswith("isp."):
        return SendResult(Result.TRANSIENT, reason=reason)
    return SendResult(Result.PERMANENT, reason=reason)
