"""A campaign: offers made to an audience over some channels for a while, measured honestly.

The campaign owns the hold-out of its offers: a share of its audience, drawn by hashing
``(campaign id, customer id)``, is never offered them, from the day the campaign starts.
Its life is draft → approved → running ⇄ paused → ended; every change is audited by the
store. The plan (forecast, service impact) is judged before approval.

>>> c = Campaign(id="spring", name="Spring instalments", offers=("bill_instalment",),
...              control_share=0.1)
>>> c.reaches(Reach.INBOUND), c.reaches(Reach.DIGITAL)
(True, False)
>>> CampaignState.DRAFT.can_become(CampaignState.RUNNING)
False
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from servesell.domain.values import MAX_MONEY

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def check_slug(value: str) -> str:
    """``value`` when it is a slug id (as offer ids are), else ``ValueError`` saying so."""
    if not _ID.match(value):
        raise ValueError(
            f"{value!r} must be 1-64 lower-case letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return value


class CampaignState(StrEnum):
    """Where a campaign is in its life."""

    DRAFT = "draft"
    APPROVED = "approved"
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"

    def can_become(self, other: CampaignState) -> bool:
        """Whether a campaign in this state may move to ``other``."""
        return other in _NEXT[self]


_NEXT: dict[CampaignState, frozenset[CampaignState]] = {
    CampaignState.DRAFT: frozenset({CampaignState.APPROVED, CampaignState.ENDED}),
    CampaignState.APPROVED: frozenset(
        {CampaignState.DRAFT, CampaignState.RUNNING, CampaignState.ENDED}
    ),
    CampaignState.RUNNING: frozenset({CampaignState.PAUSED, CampaignState.ENDED}),
    CampaignState.PAUSED: frozenset({CampaignState.RUNNING, CampaignState.ENDED}),
    CampaignState.ENDED: frozenset(),
}


class Reach(StrEnum):
    """How a campaign reaches its audience."""

    INBOUND = "inbound"
    """In the live call when the customer phones in."""
    OUTBOUND = "outbound"
    """In calls the center places (promotional bursts, follow-up lists)."""
    DIGITAL = "digital"
    """SMS, WeChat or e-mail follow-ups."""


class Targets(BaseModel):
    """What the campaign promises: sales goals and the service level it must not break."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    conversion_rate: float | None = Field(default=None, gt=0, le=1)
    sales: int | None = Field(default=None, ge=1)
    revenue: float | None = Field(default=None, gt=0, le=MAX_MONEY)
    service_level: float = Field(default=0.8, gt=0, lt=1)
    """Share of calls answered within ``service_seconds`` the center must keep."""
    service_seconds: float = Field(default=20.0, ge=0, le=3600)


class Campaign(BaseModel):
    """The campaign as an analyst writes it (YAML or the API); its state is kept beside it.

    ``offers`` are catalog offer ids; ``audience`` an eligibility rule (same language as
    offer rules) a customer must also meet; ``control_share`` the hold-out share (fixed
    once the campaign is approved); ``budget`` the most it may cost (talk time, piece
    rates, messages) in the configured currency.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    id: str
    name: str = Field(min_length=1, max_length=200)
    offers: tuple[str, ...] = Field(min_length=1, max_length=50)
    audience: str | None = Field(default=None, min_length=1, max_length=4000)
    channels: tuple[Reach, ...] = (Reach.INBOUND,)
    control_share: float = Field(default=0.1, ge=0, le=0.5)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    budget: float | None = Field(default=None, gt=0, le=MAX_MONEY)
    targets: Targets = Targets()
    description: str = Field(default="", max_length=4000)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        return check_slug(value)

    @field_validator("offers")
    @classmethod
    def _offers(cls, offers: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(offers)) != len(offers):
            raise ValueError("an offer is listed twice")
        return offers

    @field_validator("channels")
    @classmethod
    def _channels(cls, channels: tuple[Reach, ...]) -> tuple[Reach, ...]:
        if not channels:
            raise ValueError("a campaign needs at least one channel (inbound, outbound, digital)")
        if len(set(channels)) != len(channels):
            raise ValueError("a channel is listed twice")
        return channels

    @model_validator(mode="after")
    def _dates(self) -> Campaign:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError(f"ends_on {self.ends_on} is before starts_on {self.starts_on}")
        return self

    def reaches(self, reach: Reach) -> bool:
        """Whether the campaign uses ``reach``."""
        return reach in self.channels

    def open_on(self, day: dt.date) -> bool:
        """Whether ``day`` is within the campaign's dates (open-ended where not given)."""
        if self.starts_on and day < self.starts_on:
            return False
        return not (self.ends_on and day > self.ends_on)


class CampaignRecord(BaseModel):
    """A stored campaign: its spec, its state, and when it ran (hold-out from ``started_at``)."""

    model_config = ConfigDict(frozen=True)

    campaign: Campaign
    state: CampaignState
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    @property
    def id(self) -> str:
        """The campaign's id."""
        return self.campaign.id

    def window(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
        """``[started_at, ended_at or now)``: when its decisions count; ``None`` before it ran."""
        if self.started_at is None:
            return None
        return self.started_at, self.ended_at or now
