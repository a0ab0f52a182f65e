"""The day's plan as the workforce-management system knows it: arrivals and staffing per interval.

The ``gated`` gate uses it to aim at the *end-of-day* service level rather than the
running one: what the rest of the day will add (Erlang A per remaining interval, at the
forecast arrivals scaled by how busy the day has been so far, and the planned agents)
tells it how much of the target's surplus may be spent now.

>>> f = DayForecast(calls_per_hour=(100.0, 300.0), agents=(5, 12), interval_seconds=3600)
>>> f.calls_by(5400.0)
250.0
>>> f.interval_at(5400.0)
1
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator


class DayForecast(BaseModel):
    """Forecast calls per hour and planned agents for each interval of a day from midnight.

    Interval ``k`` covers ``[k × interval_seconds, (k + 1) × interval_seconds)`` seconds
    after midnight of the queue state's clock; ``aht_seconds`` is the forecast handle
    time, used until the ACD reports one.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    calls_per_hour: tuple[float, ...] = Field(min_length=1, max_length=1440)
    agents: tuple[int, ...] = Field(min_length=1, max_length=1440)
    interval_seconds: float = Field(default=1800.0, ge=60, le=86_400)
    aht_seconds: float = Field(default=187.0, gt=0, le=86_400)
    _before: tuple[float, ...] = PrivateAttr(default=())
    """Forecast calls from midnight to the start of each interval (and to the plan's end)."""

    @model_validator(mode="after")
    def _consistent(self) -> DayForecast:
        if len(self.agents) != len(self.calls_per_hour):
            raise ValueError(
                f"forecast agents has {len(self.agents)} intervals but calls_per_hour "
                f"has {len(self.calls_per_hour)}"
            )
        if len(self.agents) * self.interval_seconds > 86_400:
            raise ValueError("forecast intervals run past the end of the day")
        if min(self.calls_per_hour) < 0 or min(self.agents) < 0:
            raise ValueError("forecast calls_per_hour and agents must be >= 0")
        return self

    def model_post_init(self, context: Any, /) -> None:
        """Sum the calls before each interval once: the gates ask :meth:`calls_by` per call."""
        width, total, before = self.interval_seconds, 0.0, [0.0]
        for k, rate in enumerate(self.calls_per_hour):
            start = k * width
            total += rate * ((start + width) - start) / 3600.0
            before.append(total)
        self._before = tuple(before)

    @property
    def end_seconds(self) -> float:
        """Seconds after midnight where the forecast ends."""
        return len(self.agents) * self.interval_seconds

    def interval_at(self, seconds: float) -> int:
        """Index of the interval holding ``seconds`` after midnight (clamped to the plan)."""
        return min(len(self.agents) - 1, max(0, int(seconds // self.interval_seconds)))

    def calls_by(self, seconds: float) -> float:
        """Forecast calls from midnight to ``seconds`` after it."""
        # the private attribute read from its dict: pydantic's attribute fallback costs
        # more than the rest of this method, which a gate calls for every call answered
        before: tuple[float, ...] = self.__pydantic_private__["_before"]  # type: ignore[index]
        width = self.interval_seconds
        k = int(seconds // width) if seconds > 0 else 0
        if k >= len(self.calls_per_hour):
            return before[-1]
        start = k * width
        if start >= seconds:
            return before[k]
        return before[k] + self.calls_per_hour[k] * (seconds - start) / 3600.0
