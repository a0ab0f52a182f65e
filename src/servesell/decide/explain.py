"""Explanations a supervisor can read: every candidate's fate, and why an offer was not made."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from servesell.decide.reasons import describe
from servesell.domain.decision import Fate

if TYPE_CHECKING:
    from servesell.domain.decision import Candidate, Decision


def explain_candidate(c: Candidate) -> dict[str, Any]:
    """One candidate as plain data: fate, reason (code and sentence), channel, score factors."""
    s = c.scores
    return {
        "offer_id": c.offer_id,
        "fate": c.fate.value,
        "reason": c.reason,
        "why": describe(c.reason),
        "channel": c.channel.value if c.channel else None,
        "rank": c.rank,
        "probability": round(c.probability, 6),
        "scores": {
            "propensity": round(s.propensity, 6),
            "value": s.value,
            "context_weight": s.context_weight,
            "lever": s.lever,
            "priority": round(s.priority, 6),
            "cost": round(s.cost, 6),
            "net": round(s.net, 6),
        },
    }


def explain(decision: Decision) -> dict[str, Any]:
    """The whole decision as plain data (what ``servesell decide --json`` prints)."""
    ctx = decision.context
    return {
        "decision_id": decision.id,
        "customer_id": decision.customer_id,
        "made_at": decision.made_at.isoformat(),
        "call": {
            "id": ctx.call_id,
            "reason": ctx.reason,
            "agent_id": ctx.agent_id,
            "queue": ctx.queue,
        },
        "mode": decision.mode.value,
        "budget_seconds": decision.budget_seconds,
        "explored": decision.explored,
        "policy": decision.policy,
        "shown": [c.offer_id for c in decision.shown],
        "digital": [
            {"offer_id": c.offer_id, "channel": c.channel.value if c.channel else None}
            for c in decision.digital
        ],
        "candidates": [explain_candidate(c) for c in decision.candidates],
        "ineligible": list(decision.ineligible),
    }


def why_not(decision: Decision, offer_id: str) -> str:
    """Why ``offer_id`` was (or was not) made in ``decision``, in one sentence."""
    c = decision.candidate(offer_id)
    if c is None:
        if offer_id in decision.ineligible:
            return f"{offer_id}: not eligible: its rule did not hold for this customer"
        return f"{offer_id}: not a candidate: inactive on that day or not in the catalog"
    s = c.scores
    math = (
        f"priority {s.priority:.2f} = propensity {s.propensity:.3f} × value {s.value:,.0f}"
        f" × context {s.context_weight:g} × lever {s.lever:g}"
    )
    if s.cost:
        channel = c.channel.value if c.channel else "its channel"
        math += f" − cost {s.cost:.2f} on {channel} = net {s.net:.2f}"
    if c.fate is Fate.SHOWN:
        return f"{offer_id}: shown in the call ({describe(c.reason)}; {math})"
    if c.fate is Fate.DIGITAL:
        channel = c.channel.value if c.channel else "digital"
        return f"{offer_id}: routed to a {channel} follow-up ({describe(c.reason)}; {math})"
    return f"{offer_id}: not made: {describe(c.reason)} ({math})"
