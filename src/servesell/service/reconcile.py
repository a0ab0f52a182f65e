"""What to do with a message whose send was ambiguous: ask the provider, never guess.

A message is ``unknown`` when its request may have reached the provider (a timeout after
sending, an unreadable answer, a worker that died mid-send). Resending it blindly could
make a duplicate, so it waits for a receipt first and is then looked up by our id:

* the provider knows it → that status (sent, delivered, undelivered, failed);
* the provider says it has no record → safe to send again (queued, attempts permitting);
* the provider cannot be asked (SMTP) or the lookup failed → ask again later; after the
  message's validity it stays ``unknown`` for good and is counted as such.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from servesell.channels.status import Status
from servesell.store.settle import Transition

if TYPE_CHECKING:
    import random

    from servesell.channels.adapters.base import Adapter
    from servesell.channels.backoff import RetryPolicy
    from servesell.channels.message import OutboundMessage
    from servesell.store.outbox import Claimed


def reconcile(
    adapter: Adapter | None,
    message: Claimed,
    outbound: OutboundMessage,
    *,
    retry: RetryPolicy,
    rng: random.Random,
    now: dt.datetime,
) -> Transition:
    """The transition of one ``unknown`` message after asking its provider."""
    found = adapter.lookup(outbound) if adapter is not None else None
    if found is None:
        return _ask_later(message, retry, rng, now)
    if found.status is not None:
        return Transition(message.id, found.status, found.reason, provider_id=found.provider_id)
    if retry.exhausted(message.attempts):
        return Transition(message.id, Status.DEAD, "provider has no record; no attempts left")
    if now >= message.valid_until:
        return Transition(message.id, Status.EXPIRED, "provider has no record; validity passed")
    return Transition(
        message.id, Status.QUEUED, "provider has no record: sent again", next_attempt_at=now
    )


def _ask_later(
    message: Claimed, retry: RetryPolicy, rng: random.Random, now: dt.datetime
) -> Transition:
    if now >= message.valid_until:
        why = "no receipt and the provider cannot say; left unknown"
        return Transition(message.id, Status.UNKNOWN, why, next_attempt_at=None)
    delay = max(retry.reconcile_after_seconds, retry.delay(max(message.attempts, 1), rng))
    at = min(now + dt.timedelta(seconds=delay), message.valid_until)
    return Transition(message.id, Status.UNKNOWN, "waiting for a receipt", next_attempt_at=at)
