"""A customer's recent marketing contacts: what contact policy counts and cools down on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from servesell.domain.decision import OutcomeResult
from servesell.domain.offer import Channel


@dataclass(frozen=True, slots=True)
class Contact:
    """One offer made to the customer: in a call or through a digital channel.

    ``result`` is ``None`` while no outcome has been recorded.
    """

    offer_id: str
    channel: Channel
    at: dt.datetime
    result: OutcomeResult | None = None
    decision_id: str | None = None
