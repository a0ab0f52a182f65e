"""How synthetic agents and customers respond to a decision: the demo's ground truth at work.

An agent skips a flagged offer now and then (``not_offered``); otherwise the customer
accepts with the latent true propensity scaled by the agent's selling skill. A digital
follow-up is answered only if it reaches the customer: some numbers are out of service,
some customers open the link hours later, and those accept at a fraction of the in-call
rate (:func:`answer_follow_up`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.domain.decision import DECLINE_REASONS, Outcome, OutcomeResult

if TYPE_CHECKING:
    import random

    from servesell.domain.center import Agent, CallContext
    from servesell.domain.customer import Customer
    from servesell.domain.decision import Decision
    from servesell.domain.offer import Offer
    from servesell.synth.truth import LatentPropensity


@dataclass(frozen=True, slots=True)
class Behaviour:
    """Rates of the synthetic people."""

    skip_rate: float = 0.04
    digital_factor: float = 0.25
    """A delivered follow-up is accepted at this fraction of the latent in-call propensity."""
    open_rate: float = 0.4
    """Share of delivered follow-ups whose link is opened."""
    unreachable_rate: float = 0.03
    """Share of phone numbers out of service (the provider reports them undelivered)."""
    accepted_talk_factor: float = 1.2
    declined_talk_factor: float = 0.6


def respond(
    decision: Decision,
    customer: Customer,
    agent: Agent | None,
    *,
    offers: dict[str, Offer],
    truth: LatentPropensity,
    rng: random.Random,
    behaviour: Behaviour = Behaviour(),
) -> list[Outcome]:
    """Outcomes of the offers shown in the call (digital ones: :func:`answer_follow_up`)."""
    skill = agent.skill if agent else 1.0
    out: list[Outcome] = []
    for c in decision.shown:
        offer = offers[c.offer_id]
        if rng.random() < behaviour.skip_rate:
            out.append(_outcome(decision, c.offer_id, OutcomeResult.NOT_OFFERED, None, 0.0))
            continue
        p = min(1.0, truth.probability(c.offer_id, customer, decision.context) * skill)
        accepted = rng.random() < p
        factor = behaviour.accepted_talk_factor if accepted else behaviour.declined_talk_factor
        seconds = round(offer.extra_handle_seconds * factor * rng.lognormvariate(0, 0.3), 1)
        result = OutcomeResult.ACCEPTED if accepted else OutcomeResult.DECLINED
        reason = None if accepted else rng.choice(DECLINE_REASONS)
        out.append(_outcome(decision, c.offer_id, result, reason, seconds))
    return out


@dataclass(frozen=True, slots=True)
class LinkVisit:
    """When a customer opened a follow-up's link, and accepted on its page (or not)."""

    opened_at: dt.datetime
    accepted_at: dt.datetime | None


def answer_follow_up(
    offer_id: str,
    customer: Customer,
    context: CallContext,
    received_at: dt.datetime,
    *,
    truth: LatentPropensity,
    rng: random.Random,
    behaviour: Behaviour = Behaviour(),
) -> LinkVisit | None:
    """Whether the customer opens a delivered follow-up's link (and when), and accepts.

    Opened with ``open_rate`` within a day; accepted with the latent propensity times
    ``digital_factor`` overall, so with that divided by ``open_rate`` once opened.
    """
    if rng.random() >= behaviour.open_rate:
        return None
    opened = received_at + dt.timedelta(minutes=rng.uniform(2, 20 * 60))
    p = truth.probability(offer_id, customer, context) * behaviour.digital_factor
    if rng.random() < min(1.0, p / behaviour.open_rate):
        return LinkVisit(opened, opened + dt.timedelta(minutes=rng.uniform(0.5, 5)))
    return LinkVisit(opened, None)


def _outcome(
    decision: Decision, offer_id: str, result: OutcomeResult, reason: str | None, seconds: float
) -> Outcome:
    return Outcome(
        decision_id=decision.id,
        offer_id=offer_id,
        result=result,
        recorded_at=decision.made_at,
        decline_reason=reason,
        extra_handle_seconds=seconds,
    )
