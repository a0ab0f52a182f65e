"""How synthetic agents and customers respond to a decision: the demo's ground truth at work.

An agent skips a flagged offer now and then (``not_offered``); otherwise the customer
accepts with the latent true propensity scaled by the agent's selling skill. Digital
follow-ups convert at a fraction of the in-call rate, hours later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.domain.decision import DECLINE_REASONS, Outcome, OutcomeResult

if TYPE_CHECKING:
    import random

    from servesell.domain.center import Agent
    from servesell.domain.customer import Customer
    from servesell.domain.decision import Decision
    from servesell.domain.offer import Offer
    from servesell.synth.truth import LatentPropensity


@dataclass(frozen=True, slots=True)
class Behaviour:
    """Rates of the synthetic people."""

    skip_rate: float = 0.04
    digital_factor: float = 0.25
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
    """Outcomes for every offer the decision made (shown in the call or sent digitally)."""
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
    for c in decision.digital:
        p = truth.probability(c.offer_id, customer, decision.context) * behaviour.digital_factor
        if rng.random() < p and c.channel is not None:
            later = decision.made_at + dt.timedelta(hours=rng.uniform(0.5, 48))
            out.append(
                Outcome(decision.id, c.offer_id, OutcomeResult.ACCEPTED, later, channel=c.channel)
            )
    return out


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
