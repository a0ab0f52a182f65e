"""The contact center's people and calls: teams, agents, roles, inbound calls and their context.

Standard library only: the CLI reads :data:`Language` and :class:`Role` for its options
without loading the rest of the domain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal, get_args

Language = Literal["en", "zh"]
"""A language servesell speaks (interface text, offer names and scripts)."""
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
"""Every :data:`Language`, the default first."""


class Role(StrEnum):
    """What a user may do; each role includes the ones below it.

    ``specialist`` (a member of a specialist team that completes hand-overs) stands beside
    the hierarchy: it may only record hand-over results, which supervisors and admins may
    do too.
    """

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    SPECIALIST = "specialist"

    @property
    def level(self) -> int:
        """Rank in the hierarchy agent < supervisor < admin (a specialist ranks lowest)."""
        if self is Role.SPECIALIST:
            return -1
        return (Role.AGENT, Role.SUPERVISOR, Role.ADMIN).index(self)

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may."""
        if needed is Role.SPECIALIST:
            return self in (Role.SPECIALIST, Role.SUPERVISOR, Role.ADMIN)
        return self.level >= needed.level


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
