"""Channel fit: talk time only where it pays, otherwise a digital follow-up.

An offer goes in the call when it can be made there and its expected margin per extra
second of talk (priority / extra handle seconds) clears the policy's threshold; otherwise
it goes to the first of its digital channels that reaches the customer (SMS needs a
phone number, WeChat an openid, e-mail an address, and none of them an opt-out).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from servesell.decide.reasons import Selection, Suppression
from servesell.domain.offer import Channel

if TYPE_CHECKING:
    from servesell.domain.customer import Customer
    from servesell.domain.offer import Offer


def value_per_second(priority: float, offer: Offer) -> float:
    """Expected (weighted) margin per extra second of talk."""
    return priority / offer.extra_handle_seconds


def choose_channel(
    offer: Offer, customer: Customer, priority: float, min_value_per_second: float
) -> tuple[Channel | None, str]:
    """The channel for ``offer`` and the reason code of that choice.

    Returns ``(None, NO_CHANNEL)`` when the offer cannot reach the customer at all.
    """
    if Channel.IN_CALL in offer.channels:
        if value_per_second(priority, offer) >= min_value_per_second:
            return Channel.IN_CALL, Selection.BEST
        reason = Selection.DIGITAL_VALUE
    else:
        reason = Selection.DIGITAL_ONLY
    channel = follow_up_channel(offer, customer)
    if channel is not None:
        return channel, reason
    return None, Suppression.NO_CHANNEL


def follow_up_channel(offer: Offer, customer: Customer) -> Channel | None:
    """The first of the offer's digital channels that reaches the customer, if any.

    This is where an offer goes when it is not talked about in the call, and where the
    follow-up of an in-call *no* goes (the bill and a link, so the customer can still say
    yes later).
    """
    for channel in offer.channels:
        if channel.is_digital and reaches(channel, customer):
            return channel
    return None


def reaches(channel: Channel, customer: Customer) -> bool:
    """Whether ``customer`` has the contact point ``channel`` needs and did not stop it."""
    if channel in customer.opted_out:
        return False
    if channel is Channel.SMS:
        return bool(customer.phone)
    if channel is Channel.WECHAT:
        return bool(customer.wechat_openid)
    if channel is Channel.EMAIL:
        return bool(customer.email)
    return True
