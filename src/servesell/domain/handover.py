"""Hand-over to specialists (T+N, seeds/000 "天+地"): the phone qualifies, a team closes.

On a yes to a referral offer (a wealth product, a car loan) the agent books a hand-over
to the offer's specialist team with a time slot. The funnel is intent (the yes) → booked
→ specialist contacted → completed within the offer's N days; customers are lost between
each step, so each step is counted and credited to the agent, the offer and the specialist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class HandoverStatus(StrEnum):
    """Where a hand-over stands; ``completed`` and ``lost`` are final."""

    BOOKED = "booked"
    CONTACTED = "contacted"
    COMPLETED = "completed"
    LOST = "lost"

    @property
    def is_final(self) -> bool:
        """True once the specialist has closed it, won or lost."""
        return self in (HandoverStatus.COMPLETED, HandoverStatus.LOST)


@dataclass(frozen=True, slots=True)
class Handover:
    """One booked hand-over of a customer's yes to a specialist team."""

    id: int | None
    decision_id: str
    offer_id: str
    customer_id: str
    agent_id: str | None
    team: str
    slot_at: dt.datetime
    booked_at: dt.datetime
    status: HandoverStatus = HandoverStatus.BOOKED
    specialist: str | None = None
    contacted_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    note: str = ""

    def accepts(self, result: HandoverResult) -> bool:
        """Whether ``result`` is a new step (``False``: the same result again, a no-op).

        Raises ``ValueError`` for a step back or a change after the hand-over was closed.
        """
        if result.status is self.status:
            return False
        if self.status.is_final:
            raise ValueError(f"hand-over {self.id} is already {self.status.value}")
        if result.at < self.booked_at:
            raise ValueError(f"result at {result.at.isoformat()} is before the booking")
        return True

    def completed_within(self, days: float) -> bool:
        """Whether it was completed within ``days`` of the booking (the T+N deadline)."""
        if self.status is not HandoverStatus.COMPLETED or self.closed_at is None:
            return False
        return self.closed_at - self.booked_at <= dt.timedelta(days=days)


@dataclass(frozen=True, slots=True)
class HandoverResult:
    """What a specialist reports: contacted, completed or lost, when, and by whom."""

    handover_id: int
    status: HandoverStatus
    at: dt.datetime
    specialist: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.status is HandoverStatus.BOOKED:
            raise ValueError("a result is contacted, completed or lost, not booked")
