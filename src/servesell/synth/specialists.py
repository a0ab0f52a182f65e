"""How synthetic agents book hand-overs and specialist teams work them (the demo's T+N).

On a yes to a referral offer the agent books a hand-over most of the time (some are
forgotten: the drop-off between intent and booking); the specialist reaches most booked
customers within two days of the slot, and completes about half of those, some of them
later than the offer's N days — each step loses customers, as seeds/000 warns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.domain.handover import Handover, HandoverResult, HandoverStatus

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence


@dataclass(frozen=True, slots=True)
class SpecialistBehaviour:
    """Rates of the synthetic agents (booking) and specialists (contact, completion)."""

    book_rate: float = 0.85
    contact_rate: float = 0.8
    complete_rate: float = 0.5
    contact_within_hours: float = 48.0
    complete_within_days: float = 20.0


def book_slot(
    at: dt.datetime, rng: random.Random, behaviour: SpecialistBehaviour = SpecialistBehaviour()
) -> dt.datetime | None:
    """The slot the agent books 2-48 hours after the call, or ``None`` (not booked)."""
    if rng.random() >= behaviour.book_rate:
        return None
    return at + dt.timedelta(hours=rng.uniform(2.0, 48.0))


def specialist_results(
    handover: Handover,
    specialists: Sequence[str],
    rng: random.Random,
    behaviour: SpecialistBehaviour = SpecialistBehaviour(),
) -> list[HandoverResult]:
    """What the team reports for ``handover``, by one specialist of the team.

    Nothing (the customer was never reached), or contacted and then completed or lost.
    """
    assert handover.id is not None
    if rng.random() >= behaviour.contact_rate:
        return []
    who = rng.choice(list(specialists))
    reached = handover.slot_at + dt.timedelta(hours=rng.uniform(0, behaviour.contact_within_hours))
    steps = [HandoverResult(handover.id, HandoverStatus.CONTACTED, reached, who)]
    closed = reached + dt.timedelta(days=rng.uniform(0.5, behaviour.complete_within_days))
    won = rng.random() < behaviour.complete_rate
    final = HandoverStatus.COMPLETED if won else HandoverStatus.LOST
    steps.append(HandoverResult(handover.id, final, closed, who))
    return steps
