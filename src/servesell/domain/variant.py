"""Script variants: what agents say, proposed from the front line and proven by the data.

seeds/000: "a successful script is not written by management but distilled from front-line
practice". An agent proposes a variant of an offer's script ("I say it this way"), or an
answer to an objection (a decline reason such as ``too_expensive``); a supervisor reviews
it; live pitch variants share the calls by a bandit whose probabilities are logged, and a
variant that wins with enough evidence is promoted with its evidence kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

STANDARD: Final = "standard"
"""The variant id of the offer's own catalog script (always a live arm)."""


class VariantKind(StrEnum):
    """A pitch (what to say to offer) or an objection answer (what to say after a no)."""

    PITCH = "pitch"
    OBJECTION = "objection"


class VariantStatus(StrEnum):
    """A variant's life: proposed → active (or rejected) → promoted or retired."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    REJECTED = "rejected"
    RETIRED = "retired"
    PROMOTED = "promoted"

    @property
    def is_live(self) -> bool:
        """Whether calls may be allocated to it (active, or promoted to the winner)."""
        return self in (VariantStatus.ACTIVE, VariantStatus.PROMOTED)


@dataclass(frozen=True, slots=True)
class ScriptVariant:
    """One way of saying an offer, in one language, by the agent who wrote it."""

    id: str
    offer_id: str
    language: str
    text: str
    author: str
    proposed_at: dt.datetime
    kind: VariantKind = VariantKind.PITCH
    decline_reason: str | None = None
    status: VariantStatus = VariantStatus.PROPOSED
    reviewed_by: str | None = None
    reviewed_at: dt.datetime | None = None
    evidence: dict[str, float] | None = None
    """What the promotion was decided on (calls, sales, rate, interval, P(best)), kept."""

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("a script variant needs a text")
        if len(self.text) > 4000:
            raise ValueError("a script variant is longer than 4000 characters")
        if (self.kind is VariantKind.OBJECTION) != (self.decline_reason is not None):
            raise ValueError("an objection answer needs a decline reason, and only it")


@dataclass(frozen=True, slots=True)
class Allocation:
    """Which pitch variant a shown offer was given in a decision, and with what probability."""

    decision_id: str
    offer_id: str
    variant_id: str
    probability: float
