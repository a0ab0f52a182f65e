"""Provider callbacks: delivery receipts and customer replies, checked, parsed and applied.

Callbacks are authenticated by either an HMAC-SHA256 of the raw body in
``X-Servesell-Signature: sha256=<hex>`` (gateways that can sign) or the shared secret as
the ``token`` query parameter (providers that cannot, like Aliyun's receipt push), both
compared in constant time. Two body shapes are understood:

* Aliyun's ``SmsReport`` push: a JSON array of ``{"out_id", "success", "err_code",
  "biz_id", ...}`` (``success`` → delivered, else undelivered);
* the generic shape: one object or an array of ``{"message_id", "status",
  "provider_id"?, "detail"?}`` with ``status`` one of sent, delivered, undelivered, failed.

Replies (Aliyun ``SmsUp``: ``{"phone_number", "content"}``; generic ``{"from", "text"}``)
that are an opt-out keyword stop the channel for that customer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from servesell.channels.optout import is_opt_out
from servesell.channels.status import RECEIPT_STATUSES, Status
from servesell.errors import ChannelError
from servesell.store.optouts import customer_by_address, set_opt_out
from servesell.store.receipts import apply_report

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.domain import Channel

MAX_ITEMS = 1000


class Unauthenticated(ChannelError):
    """A callback without a valid signature or token."""


class MalformedCallback(ChannelError):
    """A callback body that is not a receipt or a reply servesell understands."""


@dataclass(frozen=True, slots=True)
class Report:
    """One provider report about one of our messages."""

    message_id: str
    status: Status
    provider_id: str | None = None
    detail: str = ""


def authenticate(body: bytes, *, signature: str | None, token: str | None, secret: str) -> None:
    """Refuse the callback unless it is signed with, or carries, the shared secret."""
    if not secret:
        raise Unauthenticated("receipts are disabled: SERVESELL_RECEIPT_SECRET is not set")
    if signature:
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if hmac.compare_digest(signature.encode(), expected.encode()):
            return
        raise Unauthenticated("the signature does not match the body")
    if token and hmac.compare_digest(token.encode(), secret.encode()):
        return
    raise Unauthenticated("unsigned callback (X-Servesell-Signature or ?token= needed)")


def parse_receipts(body: bytes) -> list[Report]:
    """The reports in a receipt callback body; :class:`MalformedCallback` when unreadable."""
    items = _items(body)
    return [_report(item, i) for i, item in enumerate(items)]


def apply_receipts(conn: Connection, reports: list[Report], *, now: dt.datetime) -> dict[str, int]:
    """Apply every report (idempotent, order tolerant); counts by what became of them."""
    tally: Counter[str] = Counter()
    for r in reports:
        applied = apply_report(
            conn, r.message_id, r.status, source="receipt", now=now, detail=r.detail,
            provider_id=r.provider_id,
        )  # fmt: skip
        tally[applied.value] += 1
    return dict(tally)


def apply_replies(
    conn: Connection, channel: Channel, body: bytes, *, now: dt.datetime
) -> dict[str, int]:
    """Opt the senders of opt-out replies out of ``channel``; counts of what was done."""
    tally: Counter[str] = Counter()
    for i, item in enumerate(_items(body)):
        sender = item.get("phone_number") or item.get("from")
        text = item.get("content") if "content" in item else item.get("text")
        if not isinstance(sender, str) or not isinstance(text, str):
            raise MalformedCallback(
                f"item {i}: a reply needs 'phone_number'/'from' and 'content'/'text'"
            )
        customer_id = customer_by_address(conn, channel, sender)
        if not is_opt_out(text):
            tally["not_opt_out"] += 1
        elif customer_id is None:
            tally["unknown_sender"] += 1
        elif set_opt_out(conn, customer_id, channel, source="reply", actor="customer", at=now):
            tally["opted_out"] += 1
        else:
            tally["already_opted_out"] += 1
    return dict(tally)


def _items(body: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedCallback("the body is not JSON") from None
    items = data if isinstance(data, list) else [data]
    if not items or len(items) > MAX_ITEMS:
        raise MalformedCallback(f"expected 1 to {MAX_ITEMS} items, got {len(items)}")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise MalformedCallback(f"item {i} is not an object")
    return items


def _report(item: dict[str, Any], index: int) -> Report:
    if "out_id" in item:  # Aliyun SmsReport
        ok = item.get("success")
        if not isinstance(ok, bool):
            raise MalformedCallback(f"item {index}: 'success' must be true or false")
        status = Status.DELIVERED if ok else Status.UNDELIVERED
        detail = f"{item.get('err_code', '')} {item.get('err_msg', '')}".strip()
        return Report(_id(item["out_id"], index), status, _opt(item.get("biz_id")), detail)
    raw = item.get("status")
    reported = next((s for s in RECEIPT_STATUSES if s.value == raw), None)
    if reported is None:
        known = ", ".join(sorted(s.value for s in RECEIPT_STATUSES))
        raise MalformedCallback(f"item {index}: status {raw!r} is not one of {known}")
    return Report(
        _id(item.get("message_id"), index),
        reported,
        _opt(item.get("provider_id")),
        str(item.get("detail", ""))[:200],
    )


def _id(value: Any, index: int) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise MalformedCallback(f"item {index}: the message id must be a string of 1-64 characters")
    return value


def _opt(value: Any) -> str | None:
    return None if value in (None, "") else str(value)[:128]
