"""KPIs: exactly one documented definition of each figure servesell reports.

Counts come from the decision log (one decision per answered call); ratios are computed
here and nowhere else, so the CLI, the API and the dashboard can never disagree on what
"conversion" means (the VICIdial two-formulas trap). A sale is an accepted outcome; an
in-call sale and a digital sale (a follow-up accepted later, credited to the call's
decision) are counted side by side, and sales, revenue and commission always count the
same outcomes.

Definitions
-----------
calls
    Decisions made, i.e. answered calls that reached servesell.
offers_shown
    In-call offers flagged to the agent.
offers_presented
    In-call offers the agent reports having made (accepted + declined).
accepted
    In-call sales: in-call offers accepted.
conversion_rate
    ``accepted / offers_presented`` (0 when nothing was presented).
offer_rate
    ``calls_with_offer / calls``: share of calls in which at least one offer was made.
sales_per_100_calls
    ``100 × accepted / calls`` (in-call sales).
call_sale_share
    ``calls_with_sale / calls``: share of calls with at least one in-call sale.
digital_routed
    Offers routed to a digital follow-up (suggested for sending; what was really sent is
    the outbox's figure).
messages_sent
    Follow-up messages of the window's calls the provider accepted (sent, delivered or
    reported undelivered) — what really left the building.
messages_delivered
    Follow-up messages the provider reports delivered to the customer.
digital_accepted
    Digital sales: follow-ups accepted (credited to the decision that routed them).
sales
    ``accepted + digital_accepted``.
revenue_in_call / revenue_digital / revenue
    Gross margin of in-call sales, of digital sales, and their sum, in the configured
    currency; the value is the one logged with the decision.
revenue_per_call
    ``revenue / calls``.
added_handle_seconds
    Extra talk seconds of presented offers (as recorded, else the offer's estimate).
commission_in_call / commission_digital / commission
    Piece-rate commission of in-call sales, of digital sales, and their sum, each sale
    at the piece rate in force when it was recorded (a rate changed later does not
    change it).
aht_with_offer_seconds / aht_without_offer_seconds
    Mean handle time (as the CTI reported it at call end) of calls in which an offer was
    presented, and of the other calls; ``None`` without reported handle times.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

TOTAL = "all"
"""The group key of ungrouped KPIs."""


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
    digital_routed: int = 0
    messages_sent: int = 0
    messages_delivered: int = 0
    digital_accepted: int = 0
    revenue_in_call: float = 0.0
    revenue_digital: float = 0.0
    added_handle_seconds: float = 0.0
    commission_in_call: float = 0.0
    commission_digital: float = 0.0
    timed_calls_with_offer: int = 0
    handle_seconds_with_offer: float = 0.0
    timed_calls_without_offer: int = 0
    handle_seconds_without_offer: float = 0.0

    def __add__(self, other: Tallies) -> Tallies:
        return Tallies(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True, slots=True)
class Kpis:
    """The reported figures of one group (see the module docstring for definitions)."""

    group: str
    calls: int
    offer_rate: float
    offers_shown: int
    offers_presented: int
    accepted: int
    conversion_rate: float
    sales_per_100_calls: float
    call_sale_share: float
    digital_routed: int
    messages_sent: int
    messages_delivered: int
    digital_accepted: int
    sales: int
    revenue_in_call: float
    revenue_digital: float
    revenue: float
    revenue_per_call: float
    added_handle_seconds: float
    commission_in_call: float
    commission_digital: float
    commission: float
    aht_with_offer_seconds: float | None
    aht_without_offer_seconds: float | None


def kpis(t: Tallies, group: str = TOTAL) -> Kpis:
    """Compute every KPI of ``group`` from ``t``; ratios with a zero denominator are 0."""
    revenue = t.revenue_in_call + t.revenue_digital
    return Kpis(
        group=group,
        calls=t.calls,
        offer_rate=_ratio(t.calls_with_offer, t.calls),
        offers_shown=t.offers_shown,
        offers_presented=t.offers_presented,
        accepted=t.accepted,
        conversion_rate=_ratio(t.accepted, t.offers_presented),
        sales_per_100_calls=100.0 * _ratio(t.accepted, t.calls),
        call_sale_share=_ratio(t.calls_with_sale, t.calls),
        digital_routed=t.digital_routed,
        messages_sent=t.messages_sent,
        messages_delivered=t.messages_delivered,
        digital_accepted=t.digital_accepted,
        sales=t.accepted + t.digital_accepted,
        revenue_in_call=round(t.revenue_in_call, 2),
        revenue_digital=round(t.revenue_digital, 2),
        revenue=round(revenue, 2),
        revenue_per_call=round(_ratio(revenue, t.calls), 4),
        added_handle_seconds=round(t.added_handle_seconds, 1),
        commission_in_call=round(t.commission_in_call, 2),
        commission_digital=round(t.commission_digital, 2),
        commission=round(t.commission_in_call + t.commission_digital, 2),
        aht_with_offer_seconds=_mean(t.handle_seconds_with_offer, t.timed_calls_with_offer),
        aht_without_offer_seconds=_mean(
            t.handle_seconds_without_offer, t.timed_calls_without_offer
        ),
    )


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 1) if count else None
