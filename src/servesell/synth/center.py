"""Teams and agents of the synthetic center: one supervisor per ten agents (seeds/003)."""

from __future__ import annotations

import math

import numpy as np

from servesell.domain.center import Agent, Team

AGENTS_PER_TEAM = 10


def staff_for(peak_calls_per_hour: float, aht_seconds: float, occupancy: float = 0.85) -> int:
    """Agents needed so the peak hour runs at about ``occupancy`` (at least 2)."""
    if not 0 < occupancy <= 1:
        raise ValueError(f"occupancy must be in (0, 1], got {occupancy}")
    erlangs = peak_calls_per_hour * aht_seconds / 3600.0
    return max(2, math.ceil(erlangs / occupancy) + 1)


def generate_staff(n_agents: int, *, seed: int) -> tuple[list[Team], list[Agent]]:
    """``n_agents`` agents in teams of ten, each with a selling skill around 1.0."""
    if n_agents < 1:
        raise ValueError(f"number of agents must be at least 1, got {n_agents}")
    rng = np.random.default_rng(seed)
    n_teams = math.ceil(n_agents / AGENTS_PER_TEAM)
    teams = [Team(id=f"T{t + 1:02d}", name=f"Team {t + 1}") for t in range(n_teams)]
    skills = np.clip(rng.lognormal(0.0, 0.2, size=n_agents), 0.5, 1.6)
    agents = [
        Agent(
            id=f"A{i + 1:03d}",
            name=f"Agent {i + 1:03d}",
            team_id=teams[i // AGENTS_PER_TEAM].id,
            skill=round(float(skills[i]), 3),
        )
        for i in range(n_agents)
    ]
    return teams, agents
