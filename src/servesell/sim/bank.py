"""The default scenario: a day at the synthetic bank's card hotline (DESIGN.md §1 figures).

Arrivals follow a bank hotline's day (quiet night, peaks at 10-11 and 14-16, the
synthetic bank's hourly shape); handle times are lognormal with the Anonymous Bank
figures (mean 187 s, median 119 s; Brown et al. 2005); callers' patience is exponential
with mean 5 minutes; agents work 8-hour shifts that cover the Erlang A requirement for
80% answered in 20 s *without* selling. The shipped ``bank.yaml`` scenario says the same.
"""

from __future__ import annotations

from servesell.queueing.load import Target
from servesell.sim.plan import ScenarioSpec
from servesell.sim.scenario import Scenario

HOURLY_SHAPE = (
    0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.8, 2.0, 5.0, 8.0, 9.5, 9.0,
    7.0, 7.5, 8.5, 8.5, 8.0, 7.0, 5.5, 5.0, 4.5, 3.5, 2.5, 1.2,
)  # fmt: skip
"""Relative call volume per hour of day (the synthetic bank's hotline)."""

BANK_REASONS = {
    "billing_inquiry": 0.28,
    "repayment": 0.14,
    "card_activation": 0.09,
    "limit_inquiry": 0.10,
    "points_rewards": 0.10,
    "lost_card": 0.05,
    "transaction_dispute": 0.08,
    "complaint": 0.04,
    "other": 0.12,
}
"""Why the bank's customers call (the synthetic traffic's mix)."""


def bank_scenario(
    *,
    calls_per_day: float = 20_000,
    max_agents: int | None = None,
    days: int = 1,
    target: Target | None = None,
) -> Scenario:
    """The bank's day at ``calls_per_day``, staffed by 8-hour shifts (at most ``max_agents``)."""
    if calls_per_day <= 0:
        raise ValueError(f"calls_per_day must be > 0, got {calls_per_day!r}")
    target = target or Target()
    spec = ScenarioSpec(
        name="bank",
        calls_per_day=calls_per_day,
        hourly_shape=HOURLY_SHAPE,
        max_agents=max_agents,
        target_level=target.level,
        target_seconds=target.seconds,
        reasons=BANK_REASONS,
    )
    return spec.scenario("design", days=days)
