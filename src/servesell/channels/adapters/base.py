"""The one small base class every channel adapter implements, and the shared rules it enforces.

:meth:`Adapter.asend` is a template method: it checks the message is for this adapter's
channel and has an address, awaits the subclass's :meth:`Adapter._send`, turns any
exception the subclass let through into an ``ambiguous`` result (we cannot know how far
it got), and scrubs every configured credential out of the reason. So no credential can
reach the outbox table, a log line or an error shown to a user, whatever a provider
echoes back. A contract test suite runs the same checks against every adapter.

Adapters are asynchronous: their I/O runs on the process's channel loop
(:mod:`~servesell.channels.adapters.loop`), where the delivery worker keeps a whole batch
in flight. :meth:`Adapter.send`, :meth:`Adapter.lookup` and :meth:`Adapter.close` are the
blocking forms for callers in ordinary threads.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

from servesell.channels.adapters.loop import run
from servesell.channels.message import Lookup, OutboundMessage, Result, SendResult

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from servesell.domain.offer import Channel

logger = logging.getLogger(__name__)
MASK = "***"


class Adapter(ABC):
    """Sends rendered messages on one channel through one provider.

    Subclasses set :attr:`channel` (on the class, or per instance for a gateway that can
    carry any channel) and :attr:`name`, implement :meth:`_send` (and :meth:`_lookup`
    when the provider can be asked about a message) as coroutines, and may be awaited
    many times at once on the channel loop.
    """

    channel: Channel
    name: ClassVar[str]

    def __init__(self, *, secrets: Iterable[str] = ()) -> None:
        self._secrets = tuple(s for s in secrets if s)

    async def asend(self, message: OutboundMessage) -> SendResult:
        """Hand ``message`` to the provider once; never raises for a provider's behaviour."""
        if message.channel is not self.channel:
            raise ValueError(
                f"{self.name} sends {self.channel.value}, not {message.channel.value} "
                f"(message {message.id})"
            )
        if not message.to.strip():
            return SendResult(Result.PERMANENT, reason="no address for this channel")
        try:
            result = await self._send(message)
        except Exception as exc:  # a bug or a library surprise mid-send: it may have gone out
            logger.warning(
                "%s: unexpected error sending %s: %s", self.name, message.id, self.scrub(repr(exc))
            )
            result = SendResult(Result.AMBIGUOUS, reason=f"unexpected error: {type(exc).__name__}")
        if not result.reason:
            return result
        return SendResult(result.result, result.provider_id, self.scrub(result.reason))

    def send(self, message: OutboundMessage) -> SendResult:
        """:meth:`asend`, waited for (call from any thread but the channel loop's)."""
        return run(self.asend(message))

    async def alookup(self, message: OutboundMessage) -> Lookup | None:
        """What the provider knows about ``message``; ``None`` when it cannot be asked now."""
        try:
            found = await self._lookup(message)
        except Exception as exc:  # a failed query leaves the message unknown, to ask again
            logger.warning(
                "%s: lookup of %s failed: %s", self.name, message.id, self.scrub(repr(exc))
            )
            return None
        if found is None:
            return None
        return Lookup(found.status, found.provider_id, self.scrub(found.reason))

    def lookup(self, message: OutboundMessage) -> Lookup | None:
        """:meth:`alookup`, waited for."""
        return run(self.alookup(message))

    @property
    def can_lookup(self) -> bool:
        """Whether this provider can be asked what became of a message."""
        return type(self)._lookup is not Adapter._lookup

    async def aclose(self) -> None:  # noqa: B027 - optional hook: most adapters hold connections
        """Release connections (idempotent; the next send opens new ones)."""

    def close(self) -> None:
        """:meth:`aclose`, waited for."""
        run(self.aclose())

    def scrub(self, text: str) -> str:
        """``text`` with every configured credential replaced by ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text[:500]

    @abstractmethod
    async def _send(self, message: OutboundMessage) -> SendResult:
        """Send once and classify the provider's answer (sent/transient/permanent/ambiguous)."""

    async def _lookup(self, message: OutboundMessage) -> Lookup | None:
        """Ask the provider about ``message``; the default cannot."""
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} ({self.channel.value})>"


async def send_all(
    adapters: Mapping[Channel, Adapter], messages: Sequence[OutboundMessage], concurrency: int
) -> list[SendResult]:
    """Send each message through its channel's adapter, ``concurrency`` in flight; in order.

    ``concurrency`` lanes each take the next message as they finish one (no task per
    message). An adapter bug (an exception :meth:`Adapter.asend` lets through) stops
    every lane and is raised.
    """
    results: dict[int, SendResult] = {}
    queue = iter(enumerate(messages))

    async def lane() -> None:
        for i, message in queue:
            results[i] = await adapters[message.channel].asend(message)

    lanes = [asyncio.ensure_future(lane()) for _ in range(min(concurrency, len(messages)))]
    try:
        await asyncio.gather(*lanes)
    except BaseException:
        for running in lanes:
            running.cancel()
        raise
    return [results[i] for i in range(len(messages))]
