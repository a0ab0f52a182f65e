"""Whether a message may go now, checked at send time in the customer's own time zone.

The decision that queued a follow-up may be hours old when a worker picks it up: the
customer may have opted out meanwhile, the night may have begun where they live, or the
channel's weekly cap may be used up by other messages. :func:`gate` answers with a
:class:`Verdict`: send now, wait until a time, expire (cannot go within its validity), or
suppress (must not go at all). A time zone that cannot be read means *do not send* —
never "send anyway" (Amazon Pinpoint's fail-open is what not to copy).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from servesell.decide.policy import ContactPolicy


class Action(StrEnum):
    """What the worker does with a claimed message."""

    SEND = "send"
    WAIT = "wait"
    EXPIRE = "expire"
    SUPPRESS = "suppress"


class Hold(StrEnum):
    """Reason codes for not sending now (stored as the message's ``last_error``)."""

    OPTED_OUT = "opted_out"
    DO_NOT_MARKET = "do_not_market"
    BLACKLISTED = "blacklisted"
    INVALID_TIME_ZONE = "invalid_time_zone"
    QUIET_HOURS = "quiet_hours"
    CHANNEL_CAP = "channel_cap"
    VALIDITY_PASSED = "validity_passed"


@dataclass(frozen=True, slots=True)
class Recipient:
    """What the send-time check needs to know about the customer, read just before sending.

    ``zone`` is the customer's IANA time zone name, ``None`` when the profile has none
    (then the center's zone applies); ``cap_left`` the messages this channel may still
    carry to them in the rolling week (``None``: uncapped) and ``cap_frees_at`` when the
    oldest counted one leaves the window.
    """

    opted_out: bool = False
    do_not_market: bool = False
    blacklisted: bool = False
    zone: str | None = None
    cap_left: int | None = None
    cap_frees_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer of :func:`gate`: an action, when (for ``wait``) and why (unless ``send``)."""

    action: Action
    reason: Hold | None = None
    until: dt.datetime | None = None


SEND = Verdict(Action.SEND)


def gate(
    recipient: Recipient,
    *,
    now: dt.datetime,
    valid_until: dt.datetime,
    policy: ContactPolicy,
    center_zone: dt.tzinfo,
) -> Verdict:
    """Whether the message may go to ``recipient`` at ``now``: the first check that bites wins."""
    blocked = _blocked(recipient)
    if blocked is not None:
        return Verdict(Action.SUPPRESS, blocked)
    if now >= valid_until:
        return Verdict(Action.EXPIRE, Hold.VALIDITY_PASSED)
    zone = resolve_zone(recipient.zone, center_zone)
    if zone is None:
        return Verdict(Action.SUPPRESS, Hold.INVALID_TIME_ZONE)
    opens = window_opens(now, zone, policy)
    if opens is not None:
        return _wait_or_expire(Hold.QUIET_HOURS, opens, valid_until)
    if recipient.cap_left is not None and recipient.cap_left <= 0:
        return _wait_or_expire(Hold.CHANNEL_CAP, recipient.cap_frees_at, valid_until)
    return SEND


def resolve_zone(name: str | None, default: dt.tzinfo) -> dt.tzinfo | None:
    """The zone called ``name`` (``default`` when there is no name); ``None`` when invalid.

    >>> resolve_zone("Mars/Olympus", dt.UTC) is None, resolve_zone("", dt.UTC)
    (True, datetime.timezone.utc)
    """
    if name is None or not name.strip():
        return default
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def window_opens(now: dt.datetime, zone: dt.tzinfo, policy: ContactPolicy) -> dt.datetime | None:
    """When the quiet hours around ``now`` end (UTC), or ``None`` when it is not quiet now.

    The end is the policy's end hour on the local wall clock, so a daylight-saving change
    overnight still opens the window at 08:00 local time.
    """
    local = now.astimezone(zone)
    if not policy.is_quiet(local.time()):
        return None
    end_hour = policy.quiet_hours[1]
    opens = local.replace(hour=end_hour, minute=0, second=0, microsecond=0)
    if opens <= local:
        opens = (local + dt.timedelta(days=1)).replace(
            hour=end_hour, minute=0, second=0, microsecond=0
        )
    return opens.astimezone(dt.UTC)


def _blocked(recipient: Recipient) -> Hold | None:
    if recipient.blacklisted:
        return Hold.BLACKLISTED
    if recipient.do_not_market:
        return Hold.DO_NOT_MARKET
    if recipient.opted_out:
        return Hold.OPTED_OUT
    return None


def _wait_or_expire(reason: Hold, until: dt.datetime | None, valid_until: dt.datetime) -> Verdict:
    if until is None or until >= valid_until:
        return Verdict(Action.EXPIRE, reason)
    return Verdict(Action.WAIT, reason, until)
