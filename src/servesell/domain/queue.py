"""A snapshot of one queue as the ACD/CTI reports it."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator


class QueueState(BaseModel):
    """Calls waiting and agent states of one queue at one moment.

    ``arrival_rate_per_hour`` and ``aht_seconds`` are optional: when the feed does not
    give them, the live-queue estimator fills them from recent calls.
    ``service_level_today`` is the ACD's running service level of the day, which the
    ``gated`` gate steers towards the target.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    queue: str = "default"
    at: dt.datetime
    calls_waiting: int = Field(ge=0)
    agents_staffed: int = Field(ge=0)
    agents_available: int = Field(ge=0)
    agents_wrap_up: int = Field(default=0, ge=0)
    longest_wait_seconds: float = Field(default=0.0, ge=0)
    arrival_rate_per_hour: float | None = Field(default=None, ge=0)
    aht_seconds: float | None = Field(default=None, gt=0)
    service_level_today: float | None = Field(default=None, ge=0, le=1)
    """Share of today's calls answered within the target so far (abandoners fail), if known."""
    calls_today: int | None = Field(default=None, ge=0)
    """Calls offered to the queue today so far, if known: the ACD's "calls offered", every
    arrival including callers diverted to self-service and callers still waiting. It is the
    count a WFM forecast predicts, so the gates read a busy day from it."""

    @model_validator(mode="after")
    def _consistent(self) -> QueueState:
        busy = self.agents_available + self.agents_wrap_up
        if busy > self.agents_staffed:
            raise ValueError(
                f"agents_available ({self.agents_available}) + agents_wrap_up "
                f"({self.agents_wrap_up}) exceed agents_staffed ({self.agents_staffed})"
            )
        return self
