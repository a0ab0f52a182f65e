"""The contact center's people and calls: teams, agents, inbound calls and their context."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Team:
    """A team of agents under one supervisor (the sources staff 1 supervisor per ~10)."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Agent:
    """An agent who answers calls; ``skill`` in (0, 1] scales how well they sell."""

    id: str
    name: str
    team_id: str
    skill: float = 1.0


@dataclass(frozen=True, slots=True)
class Call:
    """One inbound call: who called, why, when, who answered, and the base handle time.

    ``handle_seconds`` is the talk-plus-wrap-up time of the service part alone; an offer
    made in the call adds its ``extra_handle_seconds`` on top.
    """

    id: str
    customer_id: str
    started_at: dt.datetime
    reason: str
    handle_seconds: float
    agent_id: str | None = None
    queue: str = "default"


@dataclass(frozen=True, slots=True)
class CallContext:
    """What the decision engine knows about the moment: when, why, who, which queue.

    ``language`` is the caller's language when the call brings one (the IVR's choice).
    """

    at: dt.datetime
    reason: str = "other"
    agent_id: str | None = None
    call_id: str | None = None
    queue: str = "default"
    language: str | None = None
