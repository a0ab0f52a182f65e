"""Plain typed models of the contact center: customers, offers, calls, decisions, queues.

Names are loaded when first used (PEP 562), so a module that needs one light part — the
CLI's options read :data:`Language` and :class:`Role` from :mod:`servesell.domain.center` —
does not pay for building every pydantic model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from servesell.domain.campaign import Campaign, CampaignRecord, CampaignState, Reach, Targets
    from servesell.domain.center import LANGUAGES, Agent, Call, CallContext, Language, Team
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
    from servesell.domain.offer import Channel, LocalText, Offer, OfferStatus, text_in
    from servesell.domain.ports import (
        Affinity,
        ChannelModel,
        LearningModel,
        LoadGate,
        PricedGate,
        PropensityModel,
        ValuedGate,
    )
    from servesell.domain.queue import QueueState
    from servesell.domain.schema import FieldSpec, FieldType, ProfileSchema, Value

_HOME = {
    "Affinity": "ports",
    "Agent": "center",
    "Call": "center",
    "CallContext": "center",
    "Campaign": "campaign",
    "CampaignRecord": "campaign",
    "CampaignState": "campaign",
    "Candidate": "decision",
    "Channel": "offer",
    "ChannelModel": "ports",
    "Contact": "history",
    "Customer": "customer",
    "Decision": "decision",
    "Fate": "decision",
    "FieldSpec": "schema",
    "FieldType": "schema",
    "LANGUAGES": "center",
    "Language": "center",
    "LearningModel": "ports",
    "LoadGate": "ports",
    "LocalText": "offer",
    "Mode": "decision",
    "Offer": "offer",
    "OfferStatus": "offer",
    "Outcome": "decision",
    "OutcomeResult": "decision",
    "PricedGate": "ports",
    "ValuedGate": "ports",
    "ProfileSchema": "schema",
    "PropensityModel": "ports",
    "QueueState": "queue",
    "Reach": "campaign",
    "Scores": "decision",
    "Targets": "campaign",
    "Team": "center",
    "Value": "schema",
    "text_in": "offer",
}

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
    "LearningModel",
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
    "ValuedGate",
    "text_in",
]


def __getattr__(name: str) -> Any:
    """Import the module that holds ``name`` on first use (PEP 562)."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
