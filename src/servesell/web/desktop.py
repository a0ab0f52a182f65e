"""What the agent desktop shows for a screen pop: offer cards, follow-ups, the customer.

Plain view models built from a :class:`~servesell.service.screen.ScreenPop`; the
templates only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from servesell.api.masking import mask_text
from servesell.decide import follow_up_channel
from servesell.domain import Channel, OutcomeResult
from servesell.domain.decision import DECLINE_REASONS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from servesell.domain import Candidate, Customer, Decision, Offer, Outcome
    from servesell.service.screen import ScreenPop

DECLINE_CHOICES = (*DECLINE_REASONS, "other")
"""Decline reasons an agent picks from (stored as these codes)."""

SEGMENT_FIELD = "segment"


@dataclass(frozen=True, slots=True)
class OfferCard:
    """One flagged offer as the agent sees it, and what was recorded for it."""

    decision_id: str
    offer_id: str
    rank: int
    name: str
    script: str
    reason: str
    value: float
    propensity: float
    extra_handle_seconds: float
    follow_up: Channel | None
    result: OutcomeResult | None = None
    decline_reason: str | None = None
    error: str | None = None

    @property
    def open(self) -> bool:
        """True while nothing was recorded for the offer."""
        return self.result is None


@dataclass(frozen=True, slots=True)
class FollowUp:
    """An offer sent to a digital channel instead of talked about."""

    name: str
    channel: Channel


def offer_cards(pop: ScreenPop) -> list[OfferCard]:
    """The cards of every offer flagged in this call, best first, with recorded outcomes."""
    recorded = {o.offer_id: o for o in pop.outcomes if o.channel is Channel.IN_CALL}
    return [
        with_outcome(
            offer_card(pop.decision, c, pop.offers, pop.customer, pop.scripts.get(c.offer_id)),
            recorded.get(c.offer_id),
        )
        for c in pop.decision.shown
    ]


def position_of(decision: Decision, offer_id: str) -> int:
    """1-based place of ``offer_id`` among the offers flagged in ``decision``."""
    shown = [c.offer_id for c in decision.shown]
    return shown.index(offer_id) + 1 if offer_id in shown else 0


def offer_card(
    decision: Decision,
    candidate: Candidate,
    offers: Mapping[str, Offer],
    customer: Customer,
    script: str | None,
) -> OfferCard:
    """The card of one shown candidate (``script`` already filled for the customer)."""
    offer = offers.get(candidate.offer_id)
    return OfferCard(
        decision_id=decision.id,
        offer_id=candidate.offer_id,
        rank=position_of(decision, candidate.offer_id),
        name=offer.name if offer else candidate.offer_id,
        script=script if script is not None else (offer.script if offer else ""),
        reason=candidate.reason,
        value=candidate.scores.value,
        propensity=candidate.scores.propensity,
        extra_handle_seconds=offer.extra_handle_seconds if offer else 0.0,
        follow_up=follow_up_channel(offer, customer) if offer else None,
    )


def with_outcome(card: OfferCard, outcome: Outcome | None) -> OfferCard:
    """``card`` showing what was recorded for it (unchanged when nothing was)."""
    if outcome is None:
        return card
    return replace(card, result=outcome.result, decline_reason=outcome.decline_reason)


def follow_ups(pop: ScreenPop) -> list[FollowUp]:
    """Offers of this call routed to a digital channel."""
    return [
        FollowUp(pop.offers[c.offer_id].name if c.offer_id in pop.offers else c.offer_id, c.channel)
        for c in pop.decision.digital
        if c.channel is not None
    ]


def contact_points(customer: Customer) -> list[tuple[Channel, str]]:
    """The customer's digital contact points, masked for the screen."""
    points: list[tuple[Channel, str]] = []
    if customer.phone:
        points.append((Channel.SMS, mask_text(customer.phone)))
    if customer.wechat_openid:
        points.append((Channel.WECHAT, "✓"))
    if customer.email:
        user, _, domain = customer.email.partition("@")
        points.append((Channel.EMAIL, f"{user[:1]}***@{domain}"))
    return points


def flags(customer: Customer) -> list[str]:
    """The customer's contact-policy flags that are set (shown as badges)."""
    names = ("vip", "do_not_market", "blacklisted", "open_complaint")
    return [name for name in names if getattr(customer, name)]
