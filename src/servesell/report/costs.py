"""The cost model behind every money KPI: what an agent's time and a message cost.

Agent time is loaded with supervision: one supervisor per ``agents_per_supervisor`` agents
(seeds/003: 1 per 10), so a minute of talk costs the agent's minute plus a tenth of a
supervisor's. The defaults are illustrative (seeds/003: 5-8 yuan per ten-minute call is
30-48 yuan per agent-hour); set yours with ``SERVESELL_COST_*``.

>>> costs = CostModel(agent_hour=36.0, supervisor_hour=60.0, agents_per_supervisor=10)
>>> round(costs.per_agent_minute, 2), round(costs.talk(600), 2)
(0.7, 7.0)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CostModel:
    """Loaded cost of agent time and the price of one digital message."""

    agent_hour: float = 40.0
    supervisor_hour: float = 60.0
    agents_per_supervisor: float = 10.0
    message: float = 0.05

    def __post_init__(self) -> None:
        for name in ("agent_hour", "supervisor_hour", "message"):
            value = getattr(self, name)
            if not 0 <= value < 1e9:
                raise ValueError(f"{name} must be between 0 and 1e9, got {value!r}")
        if not 1 <= self.agents_per_supervisor <= 1000:
            raise ValueError(
                f"agents_per_supervisor must be 1-1000, got {self.agents_per_supervisor!r}"
            )

    @property
    def per_agent_hour(self) -> float:
        """An agent-hour with its share of supervision."""
        return self.agent_hour + self.supervisor_hour / self.agents_per_supervisor

    @property
    def per_agent_minute(self) -> float:
        """A loaded agent-minute."""
        return self.per_agent_hour / 60.0

    def talk(self, seconds: float) -> float:
        """What ``seconds`` of agent talk time cost."""
        return seconds * self.per_agent_hour / 3600.0

    def messages(self, count: int) -> float:
        """What ``count`` messages cost."""
        return count * self.message
