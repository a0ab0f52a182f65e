"""The campaign's hold-out and its hand on its offers: what the decision engine really runs.

A customer is held out of a campaign when the hash of ``(campaign id, customer id)``
falls below the campaign's control share (:func:`servesell.decide.control.control_draw`):
sticky across calls, processes and servers, independent between campaigns, nothing
stored. Outbound lists and digital bursts use the same function, so a held-out customer
is left out of every channel of the campaign.

While a campaign runs, each of its offers is made only to the campaign's audience, on the
campaign's channels, within its dates, with the campaign's hold-out; while it is paused
its offers are not made. Offers outside any running or paused campaign are made as the
catalog says (an offer's own ``campaign`` label and ``control_share`` keep working, and a
campaign whose id equals that label draws the very same customers).

>>> from servesell.domain.campaign import Campaign
>>> c = Campaign(id="spring", name="Spring", offers=("o1",), control_share=0.5)
>>> in_holdout(c, "C0000042") == in_holdout(c, "C0000042")
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from servesell.decide.control import in_control_group
from servesell.domain.campaign import CampaignState, Reach
from servesell.domain.offer import Channel, OfferStatus

if TYPE_CHECKING:
    import datetime as dt

    from servesell.domain.campaign import Campaign, CampaignRecord
    from servesell.domain.offer import Offer

GOVERNING = (CampaignState.RUNNING, CampaignState.PAUSED)
"""States in which a campaign decides how its offers are made."""


def in_holdout(campaign: Campaign, customer_id: str) -> bool:
    """Whether ``customer_id`` is in ``campaign``'s hold-out (never offered its offers)."""
    return in_control_group(customer_id, campaign.id, campaign.control_share)


def split_audience(campaign: Campaign, customer_ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """``(treated, held_out)``: who a list for ``campaign`` may contact, who it must skip."""
    treated: list[str] = []
    held: list[str] = []
    for customer_id in customer_ids:
        (held if in_holdout(campaign, customer_id) else treated).append(customer_id)
    return treated, held


def govern(offers: Sequence[Offer], campaigns: Iterable[CampaignRecord]) -> list[Offer]:
    """The catalog as the engine must run it, given the campaigns in force (see module doc)."""
    owner = {
        offer_id: record
        for record in campaigns
        if record.state in GOVERNING
        for offer_id in record.campaign.offers
    }
    return [_governed(o, owner[o.id]) if o.id in owner else o for o in offers]


def _governed(offer: Offer, record: CampaignRecord) -> Offer:
    campaign = record.campaign
    channels = tuple(c for c in offer.channels if _allowed(c, campaign))
    status = offer.status
    if record.state is CampaignState.PAUSED or not channels:
        status = OfferStatus.PAUSED
    rule = offer.rule if campaign.audience is None else f"({offer.rule}) AND ({campaign.audience})"
    return offer.model_copy(
        update={
            "rule": rule,
            "channels": channels or offer.channels,
            "status": status,
            "campaign": campaign.id,
            "control_share": campaign.control_share,
            "starts_on": _later(offer.starts_on, campaign.starts_on),
            "ends_on": _earlier(offer.ends_on, campaign.ends_on),
        }
    )


def _allowed(channel: Channel, campaign: Campaign) -> bool:
    if channel is Channel.IN_CALL:
        return campaign.reaches(Reach.INBOUND) or campaign.reaches(Reach.OUTBOUND)
    return campaign.reaches(Reach.DIGITAL)


def _later(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return max(a, b) if a and b else a or b


def _earlier(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return min(a, b) if a and b else a or b
