"""A decision as integrators and analysts read it: the API's response and ``decide --json``.

Built from the domain types (a candidate *is* a :class:`~servesell.domain.Candidate`, with
its reason in words added), so the API, the CLI and the log can never drift apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from pydantic import BaseModel

from servesell.decide import describe
from servesell.domain import Candidate, Channel, Mode

if TYPE_CHECKING:
    from servesell.service.screen import ScreenPop


@dataclass(frozen=True, slots=True)
class CandidateView(Candidate):
    """One candidate offer's fate, reason code, score factors and the reason in words."""

    why: str = ""

    @classmethod
    def of(cls, candidate: Candidate) -> CandidateView:
        """``candidate`` with :func:`~servesell.decide.describe` of its reason."""
        values = {f.name: getattr(candidate, f.name) for f in fields(candidate) if f.init}
        return cls(**values, why=describe(candidate.reason))


class ShownOffer(BaseModel):
    """An offer flagged to the agent, with the script filled in for this customer."""

    offer_id: str
    name: str
    script: str
    value: float
    extra_handle_seconds: float
    probability: float
    why: str


class DigitalOffer(BaseModel):
    """An offer routed to a digital follow-up instead of talk time."""

    offer_id: str
    name: str
    channel: Channel


class DecisionView(BaseModel):
    """A decision as the agent desktop and the CTI see it (``full``: every candidate too)."""

    decision_id: str
    customer_id: str
    made_at: dt.datetime
    mode: Mode
    budget_seconds: float
    explored: bool
    language: str
    offers: list[ShownOffer]
    digital: list[DigitalOffer]
    candidates: list[CandidateView] | None = None
    ineligible: list[str] | None = None

    @classmethod
    def of(cls, pop: ScreenPop, *, full: bool) -> DecisionView:
        """The view of a screen pop; with ``full`` every candidate and the ineligible offers."""
        decision = pop.decision
        return cls(
            decision_id=decision.id,
            customer_id=decision.customer_id,
            made_at=decision.made_at,
            mode=decision.mode,
            budget_seconds=decision.budget_seconds,
            explored=decision.explored,
            language=pop.language,
            offers=[_shown(pop, c) for c in decision.shown],
            digital=[
                DigitalOffer(offer_id=c.offer_id, name=pop.name_of(c.offer_id), channel=c.channel)
                for c in decision.digital
                if c.channel is not None
            ],
            candidates=[CandidateView.of(c) for c in decision.candidates] if full else None,
            ineligible=list(decision.ineligible) if full else None,
        )


def _shown(pop: ScreenPop, c: Candidate) -> ShownOffer:
    offer = pop.offers.get(c.offer_id)
    return ShownOffer(
        offer_id=c.offer_id,
        name=pop.name_of(c.offer_id),
        script=pop.scripts.get(c.offer_id, ""),
        value=c.scores.value,
        extra_handle_seconds=offer.extra_handle_seconds if offer else 0.0,
        probability=c.probability,
        why=describe(c.reason),
    )
