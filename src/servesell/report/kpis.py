"""KPIs: exactly one documented definition of each figure servesell reports.

Counts come from the decision log (one decision per answered call); ratios are computed
here and nowhere else, so the CLI, the API and the dashboard can never disagree on what
"conversion" means (the VICIdial two-formulas trap).

Definitions
-----------
calls
    Decisions made, i.e. answered calls that reached servesell.
offers_shown
    In-call offers flagged to the agent.
offers_presented
    In-call offers the agent reports having made (accepted + declined).
accepted
    In-call offers accepted.
conversion_rate
    ``accepted / offers_presented`` (0 when nothing was presented).
offer_rate
    ``calls_with_offer / calls``: share of calls in which at least one offer was made.
sales_per_100_calls
    ``100 × accepted / calls``.
call_sale_share
    ``calls_with_sale / calls``: share of calls with at least one in-call sale.
revenue
    Gross margin of accepted offers (in-call and digital), in the configured currency.
revenue_per_call
    ``revenue / calls``.
added_handle_seconds
    Extra talk seconds of presented offers (as recorded, else the offer's estimate).
commission
    Piece-rate commission earned on accepted offers.
aht_with_offer_seconds / aht_without_offer_seconds
    Mean handle time (as the CTI reported it at call end) of calls in which an offer was
    presented, and of the other calls; ``None`` without reported handle times.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Tallies:
    """Additive counts and sums over any slice of the decision log."""

    calls: int = 0
    calls_with_offer: int = 0
    calls_with_sale: int = 0
    offers_shown: int = 0
    offers_presented: int = 0
    accepted: int = 0
    declined: int = 0
    not_offered: int = 0
    digital_sent: int = 0
    digital_accepted: int = 0
    revenue: float = 0.0
    added_handle_seconds: float = 0.0
    commission: float = 0.0
    timed_calls_with_offer: int = 0
    handle_seconds_with_offer: float = 0.0
    timed_calls_without_offer: int = 0
    handle_seconds_without_offer: float = 0.0

    def __add__(self, other: Tallies) -> Tallies:
        return Tallies(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True, slots=True)
class Kpis:
    """The reported figures for one slice (see the module docstring for definitions)."""

    calls: int
    offer_rate: float
    offers_shown: int
    offers_presented: int
    accepted: int
    conversion_rate: float
    sales_per_100_calls: float
    call_sale_share: float
    digital_sent: int
    digital_accepted: int
    revenue: float
    revenue_per_call: float
    added_handle_seconds: float
    commission: float
    aht_with_offer_seconds: float | None
    aht_without_offer_seconds: float | None


def kpis(t: Tallies) -> Kpis:
    """Compute every KPI from ``t``; ratios with a zero denominator are 0."""
    return Kpis(
        calls=t.calls,
        offer_rate=_ratio(t.calls_with_offer, t.calls),
        offers_shown=t.offers_shown,
        offers_presented=t.offers_presented,
        accepted=t.accepted,
        conversion_rate=_ratio(t.accepted, t.offers_presented),
        sales_per_100_calls=100.0 * _ratio(t.accepted, t.calls),
        call_sale_share=_ratio(t.calls_with_sale, t.calls),
        digital_sent=t.digital_sent,
        digital_accepted=t.digital_accepted,
        revenue=round(t.revenue, 2),
        revenue_per_call=round(_ratio(t.revenue, t.calls), 4),
        added_handle_seconds=round(t.added_handle_seconds, 1),
        commission=round(t.commission, 2),
        aht_with_offer_seconds=_mean(t.handle_seconds_with_offer, t.timed_calls_with_offer),
        aht_without_offer_seconds=_mean(
            t.handle_seconds_without_offer, t.timed_calls_without_offer
        ),
    )


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 1) if count else None
