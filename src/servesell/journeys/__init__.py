"""Outbound follow-up journeys: events, timed steps, contactability, call lists, dispositions.

Pure logic (no I/O): the store keeps events and tasks, the service runs the scheduler.
"""

from servesell.journeys.calllist import VICIDIAL_FIELDS, AnswerRates, Entry, capacity, rank
from servesell.journeys.contactability import (
    Load,
    OutboundLimits,
    Reach,
    Skip,
    contactable,
    who_blocks,
    zone_of,
)
from servesell.journeys.dispositions import Disposition, after
from servesell.journeys.schedule import Event, Planned, TaskStatus, plan
from servesell.journeys.spec import EventKind, Journey, RetryRules, Step, StepChannel, Window

__all__ = [
    "VICIDIAL_FIELDS",
    "AnswerRates",
    "Disposition",
    "Entry",
    "Event",
    "EventKind",
    "Journey",
    "Load",
    "OutboundLimits",
    "Planned",
    "Reach",
    "RetryRules",
    "Skip",
    "Step",
    "StepChannel",
    "TaskStatus",
    "Window",
    "after",
    "capacity",
    "contactable",
    "plan",
    "rank",
    "who_blocks",
    "zone_of",
]
