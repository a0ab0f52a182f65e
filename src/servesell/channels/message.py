"""What an adapter is given to send, and what it answers.

An :class:`OutboundMessage` is fully rendered before it reaches an adapter (the body, the
subject, the template parameters and the tracked link were fixed when the message was
queued), so resending it sends the very same text. A :class:`SendResult` says which of
four things happened; the worker turns it into a status (``channels.status``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from servesell.channels.status import Status
from servesell.domain.offer import Channel


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One rendered message on its way to a provider.

    ``id`` is ours and goes to the provider as its reference (Aliyun ``OutId``, the
    e-mail ``Message-ID``, WeChat ``client_msg_id``) so receipts and queries find it.
    ``params`` are the template parameters for providers that fill a registered template
    themselves (Aliyun ``TemplateParam``, WeChat ``data``); ``template`` is that template's
    code at the provider.
    """

    id: str
    channel: Channel
    to: str
    body: str
    subject: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    template: str = ""
    link: str = ""
    language: str = "zh"


class Result(StrEnum):
    """What one send attempt came to."""

    SENT = "sent"
    """The provider took the message (``provider_id`` is its reference, if any)."""
    TRANSIENT = "transient"
    """It did not reach the provider, or the provider asked to try later: retry."""
    PERMANENT = "permanent"
    """The provider refused it for good: do not retry."""
    AMBIGUOUS = "ambiguous"
    """It may have reached the provider (timeout after sending, unreadable answer)."""


@dataclass(frozen=True, slots=True)
class SendResult:
    """One send attempt's result; ``reason`` is safe to store and show (no credentials)."""

    result: Result
    provider_id: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Lookup:
    """A provider's answer to "what happened to message X?".

    ``status`` is ``None`` when the provider has no record of it (then it is safe to send
    again); otherwise one of the receipt statuses.
    """

    status: Status | None
    provider_id: str | None = None
    reason: str = ""
