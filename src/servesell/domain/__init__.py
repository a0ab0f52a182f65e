"""Plain typed models of the contact center: customers, offers, calls, decisions, queues."""

from servesell.domain.campaign import Campaign, CampaignRecord, CampaignState, Reach, Targets
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
from servesell.domain.history import Contact
from servesell.domain.offer import (
    LANGUAGES,
    Channel,
    Language,
    LocalText,
    Offer,
    OfferStatus,
    text_in,
)
from servesell.domain.ports import (
    Affinity,
    ChannelModel,
    LoadGate,
    PricedGate,
    PropensityModel,
)
from servesell.domain.queue import QueueState
from servesell.domain.schema import FieldSpec, FieldType, ProfileSchema, Value

__all__ = [
    "LANGUAGES",
    "Affinity",
    "Agent",
    "Call",
    "CallContext",
    "Campaign",
    "CampaignRecord",
    "CampaignState",
    "Candidate",
    "Channel",
    "ChannelModel",
    "Contact",
    "Customer",
    "Decision",
    "Fate",
    "FieldSpec",
    "FieldType",
    "Language",
    "LoadGate",
    "LocalText",
    "Mode",
    "Offer",
    "OfferStatus",
    "Outcome",
    "OutcomeResult",
    "PricedGate",
    "ProfileSchema",
    "PropensityModel",
    "QueueState",
    "Reach",
    "Scores",
    "Targets",
    "Team",
    "Value",
    "text_in",
]
