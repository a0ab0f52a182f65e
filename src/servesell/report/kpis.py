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

The source documents' KPIs (seeds/000, /003, /004; formulas in ``docs/kpis.md``). Money
uses a :class:`~servesell.report.costs.CostModel`; a KPI whose denominator is missing
(no agent time imported, no activation reported) is ``None``, never 0.

selling_cost
    ``added_handle_seconds × loaded cost per agent-second + commission + messages_sent ×
    cost per message``: what selling added to serving.
contacts_per_hour
    ``calls / logged-in agent hours``.
occupancy
    ``handle seconds / logged-in seconds``: of the time agents were available for calls,
    the share spent on calls.
utilisation
    ``handle seconds / paid seconds``: of the time paid for, the share spent on calls
    (breaks, training and meetings lower it; occupancy does not see them).
cost_per_sale
    ``selling_cost / sales``.
cost_per_activation
    ``selling_cost / activations`` (sales the core systems report activated).
gross_margin_contribution
    ``revenue − selling_cost``.
gross_margin_per_agent
    ``gross_margin_contribution / agents`` (agents who took calls in the slice).
profit_per_day
    ``gross_margin_contribution / days`` (local days with calls in the slice).
calls_per_agent_day (outbound)
    ``outbound calls dialled / agent-days on outbound``.
close_rate (outbound)
    ``outbound sales / outbound calls connected``.

From the front line (issue 21; ``docs/frontline.md``):

referral_intents
    Yeses (in the call or through a follow-up) to referral offers (offers with a
    ``handover_team``): the first step of the T+N funnel.
handovers_booked / handovers_contacted / referrals_completed
    Hand-overs to specialists booked from the window's decisions, those the specialist
    reached, and those completed within the offer's ``completion_days`` (the N of T+N).
referral_completion_rate
    ``referrals_completed / referral_intents`` (``None`` without intents): how much of the
    intent the phone qualified became a deal.
variant_presented / variant_accepted
    In-call offers presented with a front-line script variant, and those accepted.
variant_conversion_rate
    ``variant_accepted / variant_presented`` (``None`` when no variant was presented); the
    unbiased per-variant comparison is the IPS one on the scripts page.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from servesell.report.costs import CostModel

TOTAL = "all"
"""The group key of ungrouped KPIs."""
GROUPS = ("agent", "team", "offer", "hour", "day")
"""What KPIs can be grouped by (``servesell kpis --group-by``, the dashboard)."""


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
    agents: int = 0
    """Distinct agents with calls in the slice (adding two slices that share an agent
    counts the agent twice)."""
    days: int = 0
    """Distinct local days with calls in the slice (same caveat as ``agents``)."""
    logged_in_seconds: float = 0.0
    paid_seconds: float = 0.0
    activations: int = 0
    outbound_calls: int = 0
    outbound_connects: int = 0
    outbound_sales: int = 0
    outbound_agent_days: int = 0
    referral_intents: int = 0
    handovers_booked: int = 0
    handovers_contacted: int = 0
    referrals_completed: int = 0
    variant_presented: int = 0
    variant_accepted: int = 0

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
    selling_cost: float = 0.0
    contacts_per_hour: float | None = None
    occupancy: float | None = None
    utilisation: float | None = None
    cost_per_sale: float | None = None
    cost_per_activation: float | None = None
    gross_margin_contribution: float = 0.0
    gross_margin_per_agent: float | None = None
    profit_per_day: float | None = None
    calls_per_agent_day: float | None = None
    close_rate: float | None = None
    referral_intents: int = 0
    handovers_booked: int = 0
    handovers_contacted: int = 0
    referrals_completed: int = 0
    referral_completion_rate: float | None = None
    variant_presented: int = 0
    variant_accepted: int = 0
    variant_conversion_rate: float | None = None


def kpis(t: Tallies, group: str = TOTAL, costs: CostModel | None = None) -> Kpis:
    """Compute every KPI of ``group`` from ``t``; see the module docstring.

    The historical ratios (conversion, offer rate, ...) are 0 with a zero denominator;
    the source documents' KPIs are ``None`` when their denominator is missing.
    """
    revenue = t.revenue_in_call + t.revenue_digital
    costs = costs or CostModel()
    commission = t.commission_in_call + t.commission_digital
    selling = costs.talk(t.added_handle_seconds) + commission + costs.messages(t.messages_sent)
    contribution = revenue - selling
    handled = t.handle_seconds_with_offer + t.handle_seconds_without_offer
    sales = t.accepted + t.digital_accepted
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
        selling_cost=round(selling, 2),
        contacts_per_hour=_per(t.calls, t.logged_in_seconds / 3600, 2),
        occupancy=_per(handled, t.logged_in_seconds, 4),
        utilisation=_per(handled, t.paid_seconds, 4),
        cost_per_sale=_per(selling, sales, 2),
        cost_per_activation=_per(selling, t.activations, 2),
        gross_margin_contribution=round(contribution, 2),
        gross_margin_per_agent=_per(contribution, t.agents, 2),
        profit_per_day=_per(contribution, t.days, 2),
        calls_per_agent_day=_per(t.outbound_calls, t.outbound_agent_days, 1),
        close_rate=_per(t.outbound_sales, t.outbound_connects, 4),
        referral_intents=t.referral_intents,
        handovers_booked=t.handovers_booked,
        handovers_contacted=t.handovers_contacted,
        referrals_completed=t.referrals_completed,
        referral_completion_rate=_per(t.referrals_completed, t.referral_intents, 4),
        variant_presented=t.variant_presented,
        variant_accepted=t.variant_accepted,
        variant_conversion_rate=_per(t.variant_accepted, t.variant_presented, 4),
    )


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _per(numerator: float, denominator: float, digits: int) -> float | None:
    """``numerator / denominator`` rounded, ``None`` when the denominator is missing."""
    return round(numerator / denominator, digits) if denominator > 0 else None


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 1) if count else None
