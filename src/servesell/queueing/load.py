"""Offered load and service targets: the inputs every Erlang formula shares.

>>> Load(calls_per_hour=200, aht_seconds=180).erlangs
10.0
>>> Target(level=0.8, seconds=20)
Target(level=0.8, seconds=20.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Load:
    """Calls offered per hour and their average handle time (talk plus wrap-up)."""

    calls_per_hour: float
    aht_seconds: float

    def __post_init__(self) -> None:
        _require(self.calls_per_hour >= 0, "calls_per_hour must be >= 0", self.calls_per_hour)
        _require(self.aht_seconds > 0, "aht_seconds must be > 0", self.aht_seconds)

    @property
    def erlangs(self) -> float:
        """Offered traffic A = arrival rate × handle time, in Erlangs (busy agents)."""
        return self.calls_per_hour * self.aht_seconds / 3600.0

    @property
    def arrivals_per_second(self) -> float:
        """Arrival rate λ per second."""
        return self.calls_per_hour / 3600.0

    def with_aht(self, aht_seconds: float) -> Load:
        """The same arrivals with another handle time (e.g. plus an offer's seconds)."""
        return Load(self.calls_per_hour, aht_seconds)


@dataclass(frozen=True, slots=True)
class Target:
    """A service-level target: ``level`` of calls answered within ``seconds`` (80/20)."""

    level: float = 0.8
    seconds: float = 20.0

    def __post_init__(self) -> None:
        _require(0 < self.level < 1, "target level must be in (0, 1)", self.level)
        _require(self.seconds >= 0, "target seconds must be >= 0", self.seconds)
        object.__setattr__(self, "seconds", float(self.seconds))


def require_agents(agents: int) -> None:
    """Raise ``ValueError`` unless ``agents`` is a positive integer."""
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 1:
        raise ValueError(f"agents must be a positive integer, got {agents!r}")


def require_patience(patience_seconds: float) -> None:
    """Raise ``ValueError`` unless the mean patience is positive and finite."""
    _require(
        patience_seconds > 0 and math.isfinite(patience_seconds),
        "patience_seconds must be > 0 and finite",
        patience_seconds,
    )


def _require(ok: bool, message: str, value: float) -> None:
    if not ok or math.isnan(value):
        raise ValueError(f"{message}, got {value!r}")
