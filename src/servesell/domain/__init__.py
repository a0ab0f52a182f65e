"""Plain typed models of the contact center: customers, offers, calls, decisions, queues."""

from servesell.domain.center import Agent, Call, CallContext, Team
from servesell.domain.customer import Customer
from servesell.domain.decision import (
    Candidate,
    Decision,
    Fate,
    Mode,
    Outcome,
    OutcomeResult,
    Scores,
)
from servesell.domain.offer import Channel, Offer, OfferStatus
from servesell.domain.ports import LoadGate, PropensityModel
from servesell.domain.queue import QueueState
from servesell.domain.schema import FieldSpec, FieldType, ProfileSchema, Value

__all__ = [
    "Agent",
    "Call",
    "CallContext",
    "Candidate",
    "Channel",
    "Customer",
    "Decision",
    "Fate",
    "FieldSpec",
    "FieldType",
    "LoadGate",
    "Mode",
    "Offer",
    "OfferStatus",
    "Outcome",
    "OutcomeResult",
    "ProfileSchema",
    "PropensityModel",
    "QueueState",
    "Scores",
    "Team",
    "Value",
]
