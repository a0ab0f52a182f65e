"""What the agent desktop shows for a screen pop: offer cards, follow-ups, the customer.

Plain view models built from a :class:`~servesell.service.screen.ScreenPop`; the
templates only lay them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from servesell.decide import follow_up_channel
from servesell.domain import Channel, OutcomeResult
from servesell.domain.decision import DECLINE_REASONS
from servesell.http.masking import mask_text
from servesell.service.variants import objection_answers
from servesell.store.handovers import handover_for

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.domain import Customer, Outcome
    from servesell.domain.handover import Handover
    from servesell.domain.variant import ScriptVariant
    from servesell.service.screen import ScreenPop
    from servesell.store.follow_ups import FollowUp as FollowUpMessage

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
    message: FollowUpMessage | None = None
    result: OutcomeResult | None = None
    decline_reason: str | None = None
    error: str | None = None

    @property
    def open(self) -> bool:
        """True while nothing was recorded for the offer."""
        return self.result is None


@dataclass(frozen=True, slots=True)
class FollowUp:
    """An offer routed to a digital channel, and what really became of its message.

    ``status`` is the message's real status word (``queued``, ``sent``, ``delivered``,
    ``opened``, ``accepted``, ``failed`` ...), or ``not_sent`` when no message exists
    (no templates loaded, or the outbox is not connected): a suggestion, nothing sent.
    """

    name: str
    channel: Channel
    status: str
    reason: str | None = None


def offer_cards(pop: ScreenPop, language: str) -> list[OfferCard]:
    """The cards of every offer flagged in this call, best first, with recorded outcomes.

    Names are in ``language`` (the agent's screen); scripts in the caller's language.
    """
    recorded = {o.offer_id: o for o in pop.outcomes if o.channel is Channel.IN_CALL}
    messages = {m.offer_id: m for m in pop.follow_ups}
    cards = []
    for rank, c in enumerate(pop.decision.shown, start=1):
        offer = pop.offers.get(c.offer_id)
        card = OfferCard(
            decision_id=pop.decision.id,
            offer_id=c.offer_id,
            rank=rank,
            name=pop.name_of(c.offer_id, language),
            script=pop.scripts.get(c.offer_id, ""),
            reason=c.reason,
            value=c.scores.value,
            propensity=c.scores.propensity,
            extra_handle_seconds=offer.extra_handle_seconds if offer else 0.0,
            follow_up=follow_up_channel(offer, pop.customer) if offer else None,
            message=messages.get(c.offer_id),
        )
        cards.append(with_outcome(card, recorded.get(c.offer_id)))
    return cards


def with_outcome(card: OfferCard, outcome: Outcome | None) -> OfferCard:
    """``card`` showing what was recorded for it (unchanged when nothing was)."""
    if outcome is None:
        return card
    return replace(card, result=outcome.result, decline_reason=outcome.decline_reason)


def follow_ups(pop: ScreenPop, language: str) -> list[FollowUp]:
    """Offers of this call routed to a digital channel, named in ``language``, with status."""
    messages = {m.offer_id: m for m in pop.follow_ups}
    out = []
    for c in pop.decision.digital:
        if c.channel is None:
            continue
        message = messages.get(c.offer_id)
        status, reason = (message.shown, message.reason) if message else ("not_sent", None)
        out.append(FollowUp(pop.name_of(c.offer_id, language), c.channel, status, reason))
    return out


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


@dataclass(frozen=True, slots=True)
class FrontLine:
    """What the cards show beyond the decision: hand-overs and objection answers.

    ``referrals`` maps a shown referral offer to its specialist team, ``handovers`` an
    offer to the hand-over booked for it, ``answers`` a declined offer to the live answers
    to its decline reason (in the caller's language).
    """

    referrals: dict[str, str]
    handovers: dict[str, Handover]
    answers: dict[str, list[ScriptVariant]]
    language: str
    default_slot: str = ""
    """The slot the booking form suggests (tomorrow 10:00, center time)."""


def front_line(conn: Connection, pop: ScreenPop, tz: dt.tzinfo = dt.UTC) -> FrontLine:
    """The hand-overs and objection answers of a screen pop's cards."""
    referrals = {
        c.offer_id: team
        for c in pop.decision.shown
        if (offer := pop.offers.get(c.offer_id)) and (team := offer.handover_team)
    }
    handovers = {
        k: h for k in referrals if (h := handover_for(conn, pop.decision.id, k)) is not None
    }
    answers = {
        o.offer_id: objection_answers(conn, o.offer_id, o.decline_reason, pop.language)
        for o in pop.outcomes
        if o.result is OutcomeResult.DECLINED and o.decline_reason and o.channel is Channel.IN_CALL
    }
    tomorrow = dt.datetime.now(tz).date() + dt.timedelta(days=1)
    slot = f"{tomorrow.isoformat()} 10:00"
    return FrontLine(referrals, handovers, answers, pop.language, slot)
