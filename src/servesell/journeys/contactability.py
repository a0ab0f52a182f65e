"""One contactability check: may this customer be contacted on this channel now.

Inbound offers, outbound call tasks and digital steps all answer it the same way, in a
fixed order so the reason recorded is the first that applies: who must never be
contacted (blacklist, do-not-market, do-not-call list, no consent, channel opt-out, VIP,
open complaint), whether the customer can be reached at all (address, a readable time
zone — an unknown zone means *not contacted*, never "call anyway"), whether now is
inside the step's window on their clock, and the limits: minimum gap since the last
attempt, attempts per day and per step, and the frequency caps shared by every campaign
and channel (inbound offers made count too). Every skip has a :class:`Skip` code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field

from servesell.journeys.spec import StepChannel
from servesell.journeys.windows import inside

if TYPE_CHECKING:
    from collections.abc import Sequence

    from servesell.journeys.spec import Window


class Skip(StrEnum):
    """Why a contact was not made (stable codes: stored on the task and exported)."""

    BLACKLISTED = "blacklisted"
    DO_NOT_MARKET = "do_not_market"
    DO_NOT_CALL = "do_not_call"
    NO_CONSENT = "no_consent"
    OPTED_OUT = "opted_out"
    VIP_PROTECTED = "vip_protected"
    OPEN_COMPLAINT = "open_complaint"
    NO_ADDRESS = "no_address"
    UNKNOWN_TIME_ZONE = "unknown_time_zone"
    OUTSIDE_WINDOW = "outside_window"
    MIN_GAP = "min_gap"
    ATTEMPTS_DAY = "max_attempts_day"
    ATTEMPTS_STEP = "max_attempts_step"
    CAP_DAY = "cap_day"
    CAP_WEEK = "cap_week"
    HOLDOUT = "holdout"
    STALE = "stale"
    EXIT_COMPLAINT = "exit_complaint"
    EXIT_OPT_OUT = "exit_opt_out"
    EXIT_REPURCHASE = "exit_repurchase"
    REENTRY_IGNORED = "reentry_ignored"
    RULE_FALSE = "rule_false"


class OutboundLimits(BaseModel):
    """Limits on outbound attempts; the per-day and per-week caps are shared with inbound."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    contacts_per_day: int = Field(default=1, ge=0)
    contacts_per_week: int = Field(default=3, ge=0)
    attempts_per_day: int = Field(default=3, ge=1)
    min_gap_hours: float = Field(default=2.0, ge=0)


class Reach(NamedTuple):
    """What the check needs to know about one customer, read just before it is asked.

    A named tuple: the planner builds one per customer (``bench/journeys.py``).
    """

    customer_id: str
    blacklisted: bool = False
    do_not_market: bool = False
    do_not_call: bool = False
    consent: bool | None = None
    vip: bool = False
    open_complaint: bool = False
    phone: str | None = None
    email: str | None = None
    wechat_openid: str | None = None
    zone: str | None = None
    opted_out: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Load:
    """The customer's recent contacts, counted over every campaign and channel."""

    contacts_today: int = 0
    contacts_week: int = 0
    attempts_today: int = 0
    step_attempts: int = 0
    last_attempt: dt.datetime | None = None
    extra: tuple[str, ...] = field(default_factory=tuple)


@lru_cache(maxsize=1024)
def zone_of(name: str | None) -> ZoneInfo | None:
    """The IANA zone called ``name``; ``None`` when missing or unreadable (never a default).

    >>> zone_of("Asia/Shanghai").key, zone_of(None), zone_of("Mars/Base")
    ('Asia/Shanghai', None, None)
    """
    if name is None or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def who_blocks(reach: Reach, channel: StepChannel, *, vip_allowed: bool = False) -> Skip | None:
    """The first reason ``reach`` must not be contacted on ``channel`` at all, or ``None``."""
    if reach.blacklisted:
        return Skip.BLACKLISTED
    if reach.do_not_market:
        return Skip.DO_NOT_MARKET
    if reach.do_not_call and channel is StepChannel.CALL:
        return Skip.DO_NOT_CALL
    if reach.consent is False:
        return Skip.NO_CONSENT
    if reach.opted_out and channel.value in reach.opted_out:
        return Skip.OPTED_OUT
    if reach.vip and not vip_allowed:
        return Skip.VIP_PROTECTED
    if reach.open_complaint:
        return Skip.OPEN_COMPLAINT
    if not _address(reach, channel):
        return Skip.NO_ADDRESS
    if zone_of(reach.zone) is None:
        return Skip.UNKNOWN_TIME_ZONE
    return None


def over_limits(load: Load, limits: OutboundLimits, now: dt.datetime, max_step: int) -> Skip | None:
    """The first limit ``load`` has reached (gap, attempts, shared caps), or ``None``."""
    gap = dt.timedelta(hours=limits.min_gap_hours)
    checks = (
        (load.last_attempt is not None and now - load.last_attempt < gap, Skip.MIN_GAP),
        (load.attempts_today >= limits.attempts_per_day, Skip.ATTEMPTS_DAY),
        (load.step_attempts >= max_step, Skip.ATTEMPTS_STEP),
        (load.contacts_today >= limits.contacts_per_day, Skip.CAP_DAY),
        (load.contacts_week >= limits.contacts_per_week, Skip.CAP_WEEK),
    )
    return next((code for blocked, code in checks if blocked), None)


def contactable(
    reach: Reach,
    load: Load,
    *,
    channel: StepChannel,
    now: dt.datetime,
    windows: Sequence[Window],
    limits: OutboundLimits,
    max_step: int = 3,
    vip_allowed: bool = False,
) -> Skip | None:
    """``None`` when the contact may be made now, else the first :class:`Skip` that applies."""
    blocked = who_blocks(reach, channel, vip_allowed=vip_allowed)
    if blocked is not None:
        return blocked
    zone = zone_of(reach.zone)
    assert zone is not None  # who_blocks refused an unknown zone
    if not inside(now, zone, windows):
        return Skip.OUTSIDE_WINDOW
    return over_limits(load, limits, now, max_step)


def _address(reach: Reach, channel: StepChannel) -> str | None:
    if channel is StepChannel.CALL or channel is StepChannel.SMS:
        return reach.phone
    if channel is StepChannel.EMAIL:
        return reach.email
    return reach.wechat_openid
