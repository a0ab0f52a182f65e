"""Decisions, the fate of every candidate offer in them, and the outcomes agents record.

A decision is logged whole: every offer that was a candidate for this customer at this
moment, whether it was shown, sent to a digital channel, suppressed by contact policy or
outranked, with the score components behind it and the probability with which the policy
would have shown it. That is what makes "why was X not offered?" answerable and what
off-policy evaluation needs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from servesell.domain.center import CallContext
from servesell.domain.offer import Channel


class Mode(StrEnum):
    """The load gate's verdict for the center: keep answering, or sell."""

    SERVE = "serve"
    SELL = "sell"


class Fate(StrEnum):
    """What happened to one candidate offer in one decision."""

    SHOWN = "shown"
    """Flagged to the agent for this call."""
    DIGITAL = "digital"
    """Routed to a digital follow-up (SMS, WeChat, e-mail) instead of talk time."""
    SUPPRESSED = "suppressed"
    """Removed by contact policy; ``reason`` says which rule."""
    NOT_SELECTED = "not_selected"
    """Allowed, but lost arbitration (outranked, over the time budget, gate closed)."""


class OutcomeResult(StrEnum):
    """What the agent (or the follow-up channel) reports for a shown offer."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    NOT_OFFERED = "not_offered"


DECLINE_REASONS = (
    "not_interested",
    "too_expensive",
    "has_it_elsewhere",
    "call_me_later",
    "no_time_now",
)
"""The usual reasons a customer gives for a *no*, as stored with the outcome (the agent
desktop offers them, translated; the API also takes free text)."""


@dataclass(frozen=True, slots=True)
class Scores:
    """The factors of ``priority = propensity × value × context_weight × lever``.

    ``priority`` — the expected margin of making the offer, weighted by context and the
    business lever — is computed here and nowhere else (:meth:`at` re-prices a drawn
    propensity). ``cost`` is what making it on its channel costs (talk seconds at the
    queue's shadow price, or a message's price) when channels are chosen by net value;
    ``net`` is priority minus cost.

    >>> s = Scores(propensity=0.1, value=200, context_weight=1.5)
    >>> s.priority, s.at(0.2).priority
    (30.0, 60.0)
    >>> Scores(0.1, 200, cost=4.5).net
    15.5
    """

    propensity: float
    value: float
    context_weight: float = 1.0
    lever: float = 1.0
    cost: float = 0.0
    priority: float = field(init=False)

    def __post_init__(self) -> None:
        priority = self.propensity * self.value * self.context_weight * self.lever
        object.__setattr__(self, "priority", priority)

    @property
    def net(self) -> float:
        """Priority net of the channel's cost."""
        return self.priority - self.cost

    def at(self, propensity: float, cost: float | None = None) -> Scores:
        """The same factors with another propensity (a posterior draw, another model)."""
        cost = self.cost if cost is None else cost
        return Scores(propensity, self.value, self.context_weight, self.lever, cost)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One eligible offer's fate in a decision, with everything that explains it.

    ``probability`` is the probability with which the policy would have shown this
    offer in this decision (exploration included); over a decision's candidates plus the
    no-offer choice it sums to 1 per in-call slot.
    """

    offer_id: str
    fate: Fate
    reason: str
    scores: Scores
    channel: Channel | None = None
    probability: float = 0.0
    rank: int | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer for one customer at one moment, candidates included."""

    id: str
    customer_id: str
    made_at: dt.datetime
    context: CallContext
    mode: Mode
    budget_seconds: float
    explored: bool
    candidates: tuple[Candidate, ...]
    ineligible: tuple[str, ...] = ()
    policy: str = "default"

    @property
    def shown(self) -> tuple[Candidate, ...]:
        """Candidates flagged to the agent, best first."""
        return tuple(c for c in self.candidates if c.fate is Fate.SHOWN)

    @property
    def digital(self) -> tuple[Candidate, ...]:
        """Candidates routed to a digital follow-up."""
        return tuple(c for c in self.candidates if c.fate is Fate.DIGITAL)

    def candidate(self, offer_id: str) -> Candidate | None:
        """The candidate for ``offer_id``, or ``None`` when it was not one."""
        return next((c for c in self.candidates if c.offer_id == offer_id), None)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a shown offer, as the agent clicked it (or the channel reported it)."""

    decision_id: str
    offer_id: str
    result: OutcomeResult
    recorded_at: dt.datetime
    channel: Channel = Channel.IN_CALL
    decline_reason: str | None = None
    extra_handle_seconds: float | None = None
