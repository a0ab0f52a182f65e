"""Contact policy: who must never be marketed to, and how often anyone may be.

The settings are one frozen, validated object (:class:`ContactPolicy`); the checks are
pure functions of the customer, the call, the offer and the customer's recent contacts.
Windows are rolling: "per day" means in the 24 hours before the decision, "per week"
the last 7 days, "per month" the last 30 days. Caps count offers actually made: in a
call, one the agent reports as presented (accepted or declined) — or, while the call may
still be going on (``pending_outcome_minutes``), one flagged without an outcome yet, so
two simultaneous calls cannot both exceed a cap; digitally, one routed to a channel. An
offer the agent did not present, or flagged long ago with no outcome, does not count.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from servesell.decide.reasons import Suppression
from servesell.domain.decision import OutcomeResult
from servesell.domain.offer import Channel

if TYPE_CHECKING:
    from collections.abc import Sequence

    from servesell.domain.center import CallContext
    from servesell.domain.customer import Customer
    from servesell.domain.history import Contact
    from servesell.domain.offer import Offer

DAY = dt.timedelta(days=1)
MAX_DAYS = 3650.0
"""The longest cool-down or memory a policy may name (ten years): the history a decision
reads reaches back this far, so the bound keeps every window a real date."""
MAX_CAP = 1000
"""The largest contact cap: more offers than this in a month is no cap at all (use ``None``)."""
MAX_WEIGHT = 1_000_000.0
"""The largest context weight or value per second: finite, so scores stay comparable."""


class Caps(BaseModel):
    """Maximum offers made to one customer per rolling window (``None``: no cap)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    per_day: int | None = Field(default=2, ge=0, le=MAX_CAP)
    per_week: int | None = Field(default=4, ge=0, le=MAX_CAP)
    per_month: int | None = Field(default=8, ge=0, le=MAX_CAP)


class ContactPolicy(BaseModel):
    """Every contact-policy and arbitration setting, with the defaults a bank would start from.

    Every number is bounded and finite (``MAX_DAYS``, ``MAX_CAP``, ``MAX_WEIGHT``): a
    policy that validates is one every later decision can run with, whether it came from
    the API, the web app or the CLI.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    caps: Caps = Caps()
    channel_caps_per_week: dict[Channel, Annotated[int, Field(ge=0, le=MAX_CAP)]] = Field(
        default_factory=lambda: {Channel.SMS: 2, Channel.WECHAT: 2, Channel.EMAIL: 2}
    )
    pending_outcome_minutes: float = Field(default=60, ge=0, le=24 * 60)
    cool_down_days_offer: float = Field(default=30, ge=0, le=MAX_DAYS)
    cool_down_days_global: float = Field(default=2, ge=0, le=MAX_DAYS)
    accepted_memory_days: float = Field(default=90, ge=0, le=MAX_DAYS)
    complaint_reasons: frozenset[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default=frozenset({"complaint"}), max_length=100
    )
    quiet_hours: tuple[int, int] = (21, 8)
    top_k: int = Field(default=1, ge=0, le=3)
    max_digital: int = Field(default=1, ge=0, le=3)
    min_value_per_second: float = Field(default=0.05, ge=0, le=MAX_WEIGHT)
    explore_share: float = Field(default=0.05, ge=0, le=1)
    exploration: str = "epsilon_greedy"
    channel_choice: Literal["threshold", "learned"] = "threshold"
    association_weight: bool = False
    context_weights: dict[
        Annotated[str, Field(max_length=64)],
        dict[Annotated[str, Field(max_length=64)], Annotated[float, Field(le=MAX_WEIGHT)]],
    ] = Field(default_factory=dict, max_length=1000)

    @field_validator("quiet_hours")
    @classmethod
    def _hours(cls, hours: tuple[int, int]) -> tuple[int, int]:
        if not all(0 <= h <= 23 for h in hours):
            raise ValueError(f"quiet hours must be hours 0-23, got {hours}")
        return hours

    @field_validator("exploration")
    @classmethod
    def _exploration(cls, method: str) -> str:
        if method not in ("epsilon_greedy", "thompson"):
            raise ValueError(f"exploration must be 'epsilon_greedy' or 'thompson', got {method!r}")
        return method

    @model_validator(mode="after")
    def _weights(self) -> ContactPolicy:
        for reason, weights in self.context_weights.items():
            for offer_id, weight in weights.items():
                if weight < 0:
                    raise ValueError(f"context weight {reason}/{offer_id} is negative: {weight}")
        return self

    def context_weight(self, reason: str, offer_id: str) -> float:
        """Weight of ``offer_id`` on a call about ``reason`` (offer, then ``*``, then 1)."""
        weights = self.context_weights.get(reason)
        if not weights:
            return 1.0
        return weights.get(offer_id, weights.get("*", 1.0))

    def is_quiet(self, local_time: dt.time) -> bool:
        """Whether digital channels must stay silent at ``local_time``."""
        start, end = self.quiet_hours
        hour = local_time.hour
        if start == end:
            return False
        return start <= hour or hour < end if start > end else start <= hour < end


def customer_block(customer: Customer, context: CallContext, policy: ContactPolicy) -> str | None:
    """A reason that blocks every offer for this customer on this call, or ``None``."""
    if customer.blacklisted:
        return Suppression.BLACKLISTED
    if customer.do_not_market:
        return Suppression.DO_NOT_MARKET
    if customer.open_complaint:
        return Suppression.OPEN_COMPLAINT
    if context.reason in policy.complaint_reasons:
        return Suppression.COMPLAINT_CALL
    return None


def offer_block(
    offer: Offer,
    customer: Customer,
    history: Sequence[Contact],
    now: dt.datetime,
    policy: ContactPolicy,
) -> str | None:
    """A reason that blocks ``offer`` for this customer now (caps excepted), or ``None``."""
    if customer.vip and not offer.vip_allowed:
        return Suppression.VIP_PROTECTED
    if customer.holds(offer.product):
        return Suppression.ALREADY_HOLDS
    for contact in history:
        if contact.offer_id != offer.id:
            continue
        if contact.result is OutcomeResult.ACCEPTED and _within(
            contact.at, now, policy.accepted_memory_days
        ):
            return Suppression.RECENTLY_ACCEPTED
        if contact.result is OutcomeResult.DECLINED and _within(
            contact.at, now, policy.cool_down_days_offer
        ):
            return Suppression.COOL_DOWN_OFFER
    return None


def global_cool_down(
    history: Sequence[Contact], now: dt.datetime, policy: ContactPolicy
) -> str | None:
    """:attr:`Suppression.COOL_DOWN_GLOBAL` after any recent decline, else ``None``."""
    for contact in history:
        if contact.result is OutcomeResult.DECLINED and _within(
            contact.at, now, policy.cool_down_days_global
        ):
            return Suppression.COOL_DOWN_GLOBAL
    return None


def remaining_contacts(
    history: Sequence[Contact], now: dt.datetime, policy: ContactPolicy
) -> tuple[int, str | None]:
    """How many more offers the caps allow now, and the cap that binds first."""
    pending = dt.timedelta(minutes=policy.pending_outcome_minutes)
    made = [c for c in history if was_made(c, now, pending)]
    caps = policy.caps
    limits = (
        (caps.per_day, 1, Suppression.CAP_DAY),
        (caps.per_week, 7, Suppression.CAP_WEEK),
        (caps.per_month, 30, Suppression.CAP_MONTH),
    )
    best: tuple[int, str | None] = (1_000_000, None)
    for cap, days, code in limits:
        if cap is None:
            continue
        left = cap - sum(1 for c in made if _within(c.at, now, days))
        if left < best[0]:
            best = (max(left, 0), code)
    return best


def channel_remaining(
    channel: Channel, history: Sequence[Contact], now: dt.datetime, policy: ContactPolicy
) -> int | None:
    """Offers this channel may still carry in the rolling week (``None``: uncapped)."""
    cap = policy.channel_caps_per_week.get(channel)
    if cap is None:
        return None
    used = sum(
        1
        for c in history
        if c.channel is channel
        and c.result is not OutcomeResult.NOT_OFFERED
        and _within(c.at, now, 7)
    )
    return max(cap - used, 0)


def was_made(contact: Contact, now: dt.datetime, pending: dt.timedelta) -> bool:
    """Whether ``contact`` counts as an offer made (see the module docstring)."""
    if contact.result is None and contact.channel is Channel.IN_CALL:
        return now - contact.at < pending
    return contact.result is not OutcomeResult.NOT_OFFERED


def _within(at: dt.datetime, now: dt.datetime, days: float) -> bool:
    return now - at < DAY * days
