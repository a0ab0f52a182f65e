"""The one small base class every channel adapter implements, and the shared rules it enforces.

:meth:`Adapter.send` is a template method: it checks the message is for this adapter's
channel and has an address, calls the subclass's :meth:`Adapter._send`, turns any
exception the subclass let through into an ``ambiguous`` result (we cannot know how far
it got), and scrubs every configured credential out of the reason. So no credential can
reach the outbox table, a log line or an error shown to a user, whatever a provider
echoes back. A contract test suite runs the same checks against every adapter.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

from servesell.channels.message import Lookup, OutboundMessage, Result, SendResult

if TYPE_CHECKING:
    from collections.abc import Iterable

    from servesell.domain.offer import Channel

logger = logging.getLogger(__name__)
MASK = "***"


class Adapter(ABC):
    """Sends rendered messages on one channel through one provider.

    Subclasses set :attr:`channel` (on the class, or per instance for a gateway that can
    carry any channel) and :attr:`name`, implement :meth:`_send` (and
    :meth:`_lookup` when the provider can be asked about a message), and are safe to call
    from several threads at once.
    """

    channel: Channel
    name: ClassVar[str]

    def __init__(self, *, secrets: Iterable[str] = ()) -> None:
        self._secrets = tuple(s for s in secrets if s)

    def send(self, message: OutboundMessage) -> SendResult:
        """Hand ``message`` to the provider once; never raises for a provider's behaviour."""
        if message.channel is not self.channel:
            raise ValueError(
                f"{self.name} sends {self.channel.value}, not {message.channel.value} "
                f"(message {message.id})"
            )
        if not message.to.strip():
            return SendResult(Result.PERMANENT, reason="no address for this channel")
        try:
            result = self._send(message)
        except Exception as exc:  # a bug or a library surprise mid-send: it may have gone out
            logger.warning(
                "%s: unexpected error sending %s: %s", self.name, message.id, self.scrub(repr(exc))
            )
            result = SendResult(Result.AMBIGUOUS, reason=f"unexpected error: {type(exc).__name__}")
        return SendResult(result.result, result.provider_id, self.scrub(result.reason))

    def lookup(self, message: OutboundMessage) -> Lookup | None:
        """What the provider knows about ``message``; ``None`` when it cannot be asked now."""
        try:
            found = self._lookup(message)
        except Exception as exc:  # a failed query leaves the message unknown, to ask again
            logger.warning(
                "%s: lookup of %s failed: %s", self.name, message.id, self.scrub(repr(exc))
            )
            return None
        if found is None:
            return None
        return Lookup(found.status, found.provider_id, self.scrub(found.reason))

    @property
    def can_lookup(self) -> bool:
        """Whether this provider can be asked what became of a message."""
        return type(self)._lookup is not Adapter._lookup

    def close(self) -> None:  # noqa: B027 - optional hook: most adapters hold connections
        """Release connections (idempotent)."""

    def scrub(self, text: str) -> str:
        """``text`` with every configured credential replaced by ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text[:500]

    @abstractmethod
    def _send(self, message: OutboundMessage) -> SendResult:
        """Send once and classify the provider's answer (sent/transient/permanent/ambiguous)."""

    def _lookup(self, message: OutboundMessage) -> Lookup | None:
        """Ask the provider about ``message``; the default cannot."""
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} ({self.channel.value})>"
