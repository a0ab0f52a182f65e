"""Channel fit: talk time only where it pays, otherwise a digital follow-up.

Two ways, chosen by ``ContactPolicy.channel_choice``:

* ``threshold`` (the default): an offer goes in the call when it can be made there and
  its expected margin per extra second of talk (priority / extra handle seconds) clears
  the policy's threshold; otherwise to the first of its digital channels that reaches
  the customer (SMS needs a phone number, WeChat an openid, e-mail an address, and
  none of them an opt-out).
* ``learned``: every channel that reaches the customer is scored with its own learned
  take-up and its cost — talk seconds priced at the queue's current shadow cost (agent
  time plus the waiting it imposes on other callers), a message at its price — and the
  channel with the best expected value net of cost wins (:func:`choose_by_net_value`);
  none when no channel earns more than it costs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from servesell.decide.reasons import Selection, Suppression
from servesell.domain.offer import DIGITAL_TAKE_UP_SHARE, Channel
from servesell.domain.ports import ChannelModel

if TYPE_CHECKING:
    from servesell.decide.catalog import CompiledOffer
    from servesell.domain.center import CallContext
    from servesell.domain.customer import Customer
    from servesell.domain.decision import Scores
    from servesell.domain.offer import Offer
    from servesell.domain.ports import PropensityModel
    from servesell.domain.queue import QueueState


def _default_messages() -> dict[Channel, float]:
    return {Channel.SMS: 0.05, Channel.WECHAT: 0.01, Channel.EMAIL: 0.005}


@dataclass(frozen=True, slots=True)
class ChannelPrices:
    """What a contact costs, in the center's currency.

    ``agent_second`` is an agent's loaded cost per second of talk (36 CNY an hour by
    default); ``wait_second`` what one second of a caller's waiting is worth (1 CNY a
    minute); ``message`` the price of one message per channel (SMS 0.05, WeChat 0.01,
    e-mail 0.005 CNY). The price of a talk second is ``agent_second + wait_second × w``
    with ``w`` the queue's extra waiting per talk second (the load gate's shadow cost).

    >>> round(ChannelPrices().talk_second(0.5), 4)
    0.0183
    """

    agent_second: float = 0.01
    wait_second: float = 1.0 / 60.0
    message: Mapping[Channel, float] = field(default_factory=_default_messages)

    def talk_second(self, wait_per_talk_second: float) -> float:
        """The price of one extra second of talk on a queue with that shadow cost."""
        return self.agent_second + self.wait_second * max(0.0, wait_per_talk_second)

    def cost(self, channel: Channel, offer: Offer, talk_second: float) -> float:
        """What making ``offer`` on ``channel`` costs now."""
        if channel is Channel.IN_CALL:
            return offer.extra_handle_seconds * talk_second
        return float(self.message.get(channel, 0.0))


def choose_by_net_value(options: Mapping[Channel, Scores]) -> tuple[Channel | None, str]:
    """The channel with the best expected value net of cost, and the reason code.

    ``options`` are the channels that reach the customer, each scored with its own
    take-up and cost; ties go to the earlier channel. ``(None, NO_NET_VALUE)`` when no
    channel earns more than it costs.
    """
    best = max(options, key=lambda c: options[c].net, default=None)
    if best is None:
        return None, Suppression.NO_CHANNEL
    if options[best].net <= 0:
        return None, Selection.NO_NET_VALUE
    return best, Selection.NET_CALL if best is Channel.IN_CALL else Selection.NET_DIGITAL


def best_message(options: Mapping[Channel, Scores]) -> Channel | None:
    """The digital channel with the best net value when it is positive, else ``None``.

    Where an offer whose best channel is the call goes when the call has no room for it
    (learned channel choice): the message still pays for itself.
    """
    paying = [c for c in options if c.is_digital and options[c].net > 0]
    return max(paying, key=lambda c: options[c].net, default=None)


def reachable(offer: Offer, customer: Customer) -> list[Channel]:
    """The offer's channels that reach the customer, in the offer's order."""
    return [c for c in offer.channels if reaches(c, customer)]


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


def net_options(
    offer: Offer,
    customer: Customer,
    context: CallContext,
    scores: Scores,
    *,
    model: PropensityModel,
    prices: ChannelPrices,
    talk_second: float,
) -> dict[Channel, Scores]:
    """Every channel that reaches the customer, scored with its own take-up and cost.

    A model that knows take-up per channel (:class:`~servesell.domain.ChannelModel`)
    gives it; otherwise a message converts at its share of the in-call propensity
    (:data:`~servesell.domain.offer.DIGITAL_TAKE_UP_SHARE`).
    """
    out = {}
    for channel in reachable(offer, customer):
        if channel is Channel.IN_CALL:
            p = scores.propensity
        elif isinstance(model, ChannelModel):
            p = model.channel_propensity(offer, channel, customer, context)
        else:
            p = scores.propensity * DIGITAL_TAKE_UP_SHARE.get(channel, 1.0)
        out[channel] = scores.at(p, prices.cost(channel, offer, talk_second))
    return out


def busy_to_digital(
    customer: Customer,
    in_call: list[CompiledOffer],
    digital: list[tuple[CompiledOffer, Channel, str]],
    reason: str = Selection.DIGITAL_BUSY,
) -> list[CompiledOffer]:
    """Busy: in-call offers that reach the customer digitally go there; the rest stay.

    "Busy: keep answering" need not drop the offer: it goes as a message (seeds/000:
    push to digital what phone time cannot carry). What stays is not selected (serve mode).
    """
    kept = []
    for compiled in in_call:
        channel = follow_up_channel(compiled.offer, customer)
        if channel is None:
            kept.append(compiled)
        else:
            digital.append((compiled, channel, reason))
    return kept


def priced_out(
    in_call: list[CompiledOffer],
    scores: Mapping[str, Scores],
    queue_state: QueueState | None,
    admits: Callable[[QueueState | None, float], bool],
) -> tuple[list[CompiledOffer], list[CompiledOffer]]:
    """The in-call offers a priced gate admits now, and those it prices out of the call.

    ``admits`` is the gate's verdict on an offer's expected margin per extra talk second
    (:func:`value_per_second`); the gate, not a fixed policy threshold, sets the price.
    """
    admitted: list[CompiledOffer] = []
    out: list[CompiledOffer] = []
    for compiled in in_call:
        value = value_per_second(scores[compiled.offer.id].priority, compiled.offer)
        (admitted if admits(queue_state, value) else out).append(compiled)
    return admitted, out
