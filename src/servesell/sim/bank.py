"""The default scenario: a day at the synthetic bank's card hotline (DESIGN.md §1 figures).

Arrivals follow a bank hotline's day (quiet night, peaks at 10-11 and 14-16, the
synthetic bank's hourly shape); handle times are lognormal with the Anonymous Bank
figures (mean 187 s, median 119 s; Brown et al. 2005); callers' patience is exponential
with mean 5 minutes; agents work 8-hour shifts that cover the Erlang A requirement for
80% answered in 20 s *without* selling. The cross-sell is the bank catalog's offers
(extra talk, margin, prior take-up), each with the share of calls for which it is the
best eligible offer.
"""

from __future__ import annotations

from servesell.queueing.load import Target
from servesell.sim.scenario import CrossSell, OfferSpec, Scenario
from servesell.sim.shifts import cover_with_shifts, required_agents

HOURLY_SHAPE = (
    0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.8, 2.0, 5.0, 8.0, 9.5, 9.0,
    7.0, 7.5, 8.5, 8.5, 8.0, 7.0, 5.5, 5.0, 4.5, 3.5, 2.5, 1.2,
)  # fmt: skip
"""Relative call volume per hour of day (the synthetic bank's hotline)."""

BANK_OFFERS = CrossSell(
    offers=(
        OfferSpec("bill_instalment", extra_seconds=60, value=180, acceptance=0.12, share=0.18),
        OfferSpec("limit_increase", extra_seconds=40, value=90, acceptance=0.25, share=0.12),
        OfferSpec("cash_instalment", extra_seconds=90, value=320, acceptance=0.05, share=0.08),
        OfferSpec("card_upgrade", extra_seconds=70, value=250, acceptance=0.08, share=0.06),
        OfferSpec("wealth_product", extra_seconds=150, value=600, acceptance=0.04, share=0.05),
        OfferSpec("car_loan", extra_seconds=180, value=900, acceptance=0.015, share=0.03),
        OfferSpec("travel_insurance", extra_seconds=45, value=45, acceptance=0.10, share=0.08),
        OfferSpec("auto_debit", extra_seconds=30, value=20, acceptance=0.20, share=0.10),
        OfferSpec("accident_insurance", extra_seconds=50, value=60, acceptance=0.05, share=0.08),
        OfferSpec("mobile_banking", extra_seconds=40, value=10, acceptance=0.15, share=0.07),
    )
)
"""The bank catalog's offers (extra seconds, margin in CNY, prior take-up) and their shares."""

SHIFT_HOURS = 8
PATIENCE_SECONDS = 300.0
AHT_MEAN_SECONDS = 187.0
AHT_MEDIAN_SECONDS = 119.0


def bank_scenario(
    *,
    calls_per_day: float = 20_000,
    max_agents: int | None = None,
    days: int = 1,
    cross_sell: CrossSell | None = BANK_OFFERS,
    target: Target | None = None,
) -> Scenario:
    """The bank's day at ``calls_per_day``, staffed by 8-hour shifts (at most ``max_agents``)."""
    if calls_per_day <= 0:
        raise ValueError(f"calls_per_day must be > 0, got {calls_per_day!r}")
    target = target or Target()
    total = sum(HOURLY_SHAPE)
    rates = tuple(calls_per_day * share / total for share in HOURLY_SHAPE for _ in range(2))
    required = required_agents(
        rates, aht_seconds=AHT_MEAN_SECONDS, target=target, patience_seconds=PATIENCE_SECONDS
    )
    agents = cover_with_shifts(required, shift_intervals=SHIFT_HOURS * 2, max_agents=max_agents)
    return Scenario(
        calls_per_hour=rates,
        agents=agents,
        interval_seconds=1800.0,
        days=days,
        aht_mean_seconds=AHT_MEAN_SECONDS,
        aht_median_seconds=AHT_MEDIAN_SECONDS,
        patience_seconds=PATIENCE_SECONDS,
        cross_sell=cross_sell,
        target=target,
    )
