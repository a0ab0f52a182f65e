"""Sales competitions: a period, people or teams, one KPI, winners (seeds/004 leaderboards).

Standings rank the groups' KPIs (the one definition in :mod:`servesell.report.kpis`) for the
competition's days; groups with fewer than ``min_calls`` calls are not ranked (a handful of
lucky calls must not win), ties go to the earlier id.

>>> c = Competition(id="march", name="March", starts_on="2026-03-01", ends_on="2026-03-31",
...                 metric="revenue", winners=1)
>>> c.scope, c.winners
('agent', 1)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from servesell.domain.campaign import check_slug

if TYPE_CHECKING:
    from collections.abc import Mapping

    from servesell.report.kpis import Kpis

METRICS = (
    "sales",
    "accepted",
    "revenue",
    "conversion_rate",
    "call_sale_share",
    "gross_margin_contribution",
)
"""KPIs a competition may rank by (higher is better)."""


class Competition(BaseModel):
    """One competition as a supervisor writes it."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    id: str
    name: str = Field(min_length=1, max_length=200)
    starts_on: dt.date
    ends_on: dt.date
    scope: Literal["agent", "team"] = "agent"
    metric: str = "revenue"
    winners: int = Field(default=3, ge=1, le=100)
    prize: float = Field(default=0.0, ge=0, le=1_000_000)
    min_calls: int = Field(default=20, ge=0, le=1_000_000)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        return check_slug(value)

    @field_validator("metric")
    @classmethod
    def _metric(cls, value: str) -> str:
        if value not in METRICS:
            raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {value!r}")
        return value

    @model_validator(mode="after")
    def _dates(self) -> Competition:
        if self.ends_on < self.starts_on:
            raise ValueError(f"ends_on {self.ends_on} is before starts_on {self.starts_on}")
        return self


@dataclass(frozen=True, slots=True)
class Standing:
    """One ranked group."""

    rank: int
    key: str
    value: float
    calls: int


def standings(competition: Competition, rows: Mapping[str, Kpis]) -> list[Standing]:
    """Groups with enough calls, best first by the competition's metric."""
    eligible = [
        (key, float(getattr(k, competition.metric)), k.calls)
        for key, k in rows.items()
        if k.calls >= competition.min_calls and key != "(none)"
    ]
    eligible.sort(key=lambda row: (-row[1], row[0]))
    return [Standing(i, key, value, calls) for i, (key, value, calls) in enumerate(eligible, 1)]


def winners(competition: Competition, ranked: list[Standing]) -> list[Standing]:
    """The top ``winners`` with a value above zero."""
    return [s for s in ranked if s.value > 0][: competition.winners]
