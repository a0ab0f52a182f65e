"""Journeys as validated, immutable configuration: a trigger, timed steps, exits.

A journey starts for a customer when an event of its trigger kind arrives and its rule
(over the profile and the event's ``event_*`` fields) is true. Each step is due a whole
number of days after the event's *local* date (the customer's own time zone), inside a
local window such as 10:00-12:00; a window whose end is not after its start runs past
midnight (20:00-01:00). A step not done in its windows on its ``valid_days`` local days is
closed as stale, never sent late in a flood.

>>> Window.parse("14:00-20:00").crosses_midnight, Window.parse("20:00-01:00").crosses_midnight
(False, True)
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from servesell.domain.campaign import check_slug

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class EventKind(StrEnum):
    """What the core systems report that a journey can start or end on."""

    PURCHASE = "purchase"
    REGISTRATION = "registration"
    LOYALTY = "loyalty"
    COMPLAINT = "complaint"


class StepChannel(StrEnum):
    """How a step reaches the customer: a call task, or a message through the outbox."""

    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    WECHAT = "wechat"


class ExitOn(StrEnum):
    """What ends a customer's journey before its last step."""

    COMPLAINT = "complaint"
    OPT_OUT = "opt_out"
    REPURCHASE = "repurchase"


class Reentry(StrEnum):
    """What a second trigger event does while an earlier journey is still under way."""

    RESTART = "restart"
    """The new event starts the journey again; the earlier one ends (exit ``repurchase``)."""
    IGNORE = "ignore"
    """The new event is ignored while the earlier journey has steps to come."""


class Retry(BaseModel):
    """For one disposition: attempts allowed in all and the wait before the next one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    attempts: int = Field(ge=1, le=10)
    spacing_hours: float = Field(ge=0, le=24 * 14)


class RetryRules(BaseModel):
    """Retry rules for the dispositions that retry (the others end the task)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    no_answer: Retry = Retry(attempts=3, spacing_hours=3)
    busy: Retry = Retry(attempts=3, spacing_hours=1)
    callback_grace_minutes: float = Field(default=30, ge=0, le=24 * 60)


class Window(BaseModel):
    """A daily window on the customer's wall clock, ``[start, end)``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: dt.time
    end: dt.time

    @classmethod
    def parse(cls, text: str) -> Window:
        """``"10:00-12:00"`` → a window; ``ValueError`` naming the text otherwise."""
        match = _WINDOW.match(text)
        if not match:
            raise ValueError(f"window {text!r} must look like 10:00-12:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise ValueError(f"window {text!r} has an impossible time")
        end = dt.time(0, 0) if h2 == 24 else dt.time(h2, m2)
        if dt.time(h1, m1) == end:
            raise ValueError(f"window {text!r} is empty")
        return cls(start=dt.time(h1, m1), end=end)

    @property
    def crosses_midnight(self) -> bool:
        """Whether the window ends on the next local day."""
        return self.end <= self.start

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_windows(value: object) -> object:
    """``"10:00-12:00"`` or a list of such texts as windows (anything else: left to pydantic)."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple):
        return tuple(Window.parse(v) if isinstance(v, str) else v for v in value)
    return value


class Step(BaseModel):
    """One contact of a journey: when, how, why and what to say."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    day: int = Field(ge=0, le=366)
    windows: tuple[Window, ...] = Field(min_length=1)
    channel: StepChannel = StepChannel.CALL
    purpose: str = Field(min_length=1, max_length=200)
    script: str = Field(default="", max_length=4000)
    offer: str | None = None
    value: float = Field(default=1.0, gt=0, le=1e6)
    """Expected value of the contact (one unit across journeys): what ranks the call list."""
    valid_days: int = Field(default=2, ge=1, le=60)
    """Local days on which the step may be done (in its windows), from its own day on."""
    max_attempts: int = Field(default=3, ge=1, le=10)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_slug(value)

    @model_validator(mode="after")
    def _digital_offer(self) -> Step:
        if self.channel is not StepChannel.CALL and not self.offer:
            raise ValueError(
                f"step {self.name!r} sends a {self.channel.value} message: name the offer "
                "whose template it sends (offer: ...)"
            )
        return self

    @field_validator("windows", mode="before")
    @classmethod
    def _windows(cls, value: object) -> object:
        return parse_windows(value)


class Trigger(BaseModel):
    """The event that starts a journey and the rule it must pass (``TRUE`` by default)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event: EventKind
    rule: str = "TRUE"


class Journey(BaseModel):
    """A named sequence of follow-up steps after a trigger event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str = ""
    trigger: Trigger
    steps: tuple[Step, ...] = Field(min_length=1)
    exit_on: frozenset[ExitOn] = frozenset({ExitOn.COMPLAINT, ExitOn.OPT_OUT})
    reentry: Reentry = Reentry.RESTART
    team: str | None = None
    assign: Literal["team", "store"] = "team"
    """Who calls: the ``team``, or the store in the profile's ``store_field`` (seeds/003:
    store clerks calling their own customers); a customer without a store goes to ``team``."""
    store_field: str = "store"
    vip_allowed: bool = False
    retry: RetryRules = RetryRules()
    """Attempts and spacing after no answer or busy (the other dispositions end the task)."""
    campaign: str | None = None
    """A campaign whose hold-out this journey's customers are drawn from (not contacted)."""

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return check_slug(value)

    @model_validator(mode="after")
    def _unique_steps(self) -> Journey:
        seen: set[str] = set()
        for step in self.steps:
            if step.name in seen:
                raise ValueError(f"step name {step.name!r} appears twice")
            seen.add(step.name)
        return self

    def team_for(self, store: str | None) -> str | None:
        """The team a customer's task goes to (``store:<id>`` when assigned to stores)."""
        if self.assign == "store" and store:
            return f"store:{store}"[:64]
        return self.team

    @property
    def horizon_days(self) -> float:
        """How long after its event a journey can still have a step open."""
        return max(s.day + s.valid_days for s in self.steps) + 2


class Burst(BaseModel):
    """A short promotional burst: a rule-selected audience contacted within a date window.

    seeds/003: "short bursts of outbound calls for retail promotions". The audience is
    held out by its campaign's control share (``campaign``, required: a burst without a
    control group cannot be measured) and cut to ``size`` contacts (the team's capacity
    over the dates), chosen by a stable draw so a re-run picks the same people.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    campaign: str
    audience: str = "TRUE"
    starts: dt.date
    ends: dt.date
    windows: tuple[Window, ...] = Field(min_length=1)
    channel: StepChannel = StepChannel.CALL
    purpose: str = Field(min_length=1, max_length=200)
    script: str = Field(default="", max_length=4000)
    offer: str | None = None
    size: int = Field(ge=1, le=10_000_000)
    team: str | None = None
    value: float = Field(default=1.0, gt=0, le=1e6)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return check_slug(value)

    @field_validator("windows", mode="before")
    @classmethod
    def _windows(cls, value: object) -> object:
        return parse_windows(value)

    @model_validator(mode="after")
    def _dates(self) -> Burst:
        if self.ends < self.starts:
            raise ValueError(
                f"burst {self.id!r} ends ({self.ends}) before it starts ({self.starts})"
            )
        if self.channel is not StepChannel.CALL and not self.offer:
            raise ValueError(f"burst {self.id!r} sends messages: name the offer (offer: ...)")
        return self

    def as_step(self) -> Step:
        """The burst's one contact as a journey step (what call lists and desks read)."""
        return Step(
            name="burst",
            day=0,
            windows=self.windows,
            channel=self.channel,
            purpose=self.purpose,
            script=self.script,
            offer=self.offer,
            valid_days=(self.ends - self.starts).days + 1,
            max_attempts=3,
            value=self.value,
        )
