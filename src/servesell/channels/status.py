"""The life of one outbound message: its statuses and the one rule for changing them.

::

    queued ──claim──► sending ──provider accepted──► sent ──receipt──► delivered
      ▲  ▲               │  │                          │                undelivered
      │  └─transient─────┘  ├─timeout after sending──► unknown ─query/receipt─► (any of the right)
      │     (backoff)       │                            └─provider has no record──► queued
      │                     ├─refused for good─────────► failed
      │                     └─retries used up──────────► dead
      └─quiet hours / cap: waits (next_attempt_at)      expired · suppressed (never sent)

Provider receipts may come late, twice and out of order. :func:`after_receipt` applies
one only when it moves the message *forward* (rank), so a late ``sent`` never overwrites
``delivered`` and a repeated receipt changes nothing. ``unknown`` is never resent
blindly: only a provider that says it has no record of the message sends it back to
``queued``.

>>> after_receipt(Status.DELIVERED, Status.SENT) is None
True
>>> after_receipt(Status.SENDING, Status.DELIVERED)
<Status.DELIVERED: 'delivered'>
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where one message is in its life (stored in ``outbox_messages.status``)."""

    QUEUED = "queued"
    """Waiting for its ``next_attempt_at`` (new, retrying, or waiting for a send window)."""
    SENDING = "sending"
    """Claimed by a worker under a lease; the provider may or may not have it yet."""
    UNKNOWN = "unknown"
    """The request may have reached the provider (timeout, garbage, lost worker): reconciled."""
    SENT = "sent"
    """The provider accepted it."""
    DELIVERED = "delivered"
    """The provider reports it reached the customer."""
    UNDELIVERED = "undelivered"
    """The provider reports it did not reach the customer."""
    FAILED = "failed"
    """Refused for good (bad number, template refused, too long, no template)."""
    DEAD = "dead"
    """Transient failures used up every retry: the dead letter, with the last reason."""
    EXPIRED = "expired"
    """Could not be sent within its validity (quiet hours, caps, retries)."""
    SUPPRESSED = "suppressed"
    """Not sent on purpose at send time (opted out, do-not-market, invalid time zone)."""


RANK: dict[Status, int] = {
    Status.QUEUED: 0,
    Status.SENDING: 1,
    Status.UNKNOWN: 1,
    Status.DEAD: 1,
    Status.SENT: 2,
    Status.DELIVERED: 3,
    Status.UNDELIVERED: 3,
    Status.FAILED: 3,
    Status.EXPIRED: 4,
    Status.SUPPRESSED: 4,
}
"""How far a status is along the path; a receipt only ever moves a message forward.

``dead`` ranks with ``unknown``: giving up says nothing about the provider, so a receipt
that arrives after it is still believed. ``expired`` and ``suppressed`` messages were
never handed to a provider, so no receipt can be about them."""

RECEIPT_STATUSES = frozenset({Status.SENT, Status.DELIVERED, Status.UNDELIVERED, Status.FAILED})
"""What a provider can report about a message."""

FINAL = frozenset(
    {
        Status.DELIVERED,
        Status.UNDELIVERED,
        Status.FAILED,
        Status.DEAD,
        Status.EXPIRED,
        Status.SUPPRESSED,
    }
)
"""Statuses after which no worker touches the message again."""


def after_receipt(current: Status, reported: Status) -> Status | None:
    """The status after a provider reports ``reported``; ``None`` when it changes nothing.

    >>> after_receipt(Status.UNKNOWN, Status.SENT)
    <Status.SENT: 'sent'>
    >>> after_receipt(Status.DELIVERED, Status.DELIVERED) is None
    True
    """
    if reported not in RECEIPT_STATUSES:
        raise ValueError(f"a provider cannot report {reported.value!r}")
    if RANK[reported] > RANK[current]:
        return reported
    return None
