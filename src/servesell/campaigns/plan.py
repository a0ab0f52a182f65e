"""Decide: what a campaign will bring and cost, and what its talk time does to service.

The forecast is deliberately simple and every step is shown: contacts = eligible
customers × calls per customer-day × days × (1 − hold-out); offers = contacts × the share
of eligible contacts in which an offer gets made (observed in the log, else 1); sales =
offers × the mean learned propensity over the eligible customers; revenue = sales ×
value. The talk time is spread over every call of the period (the load gate may well hold
some offers back at the peak, so this is the cautious reading), and the service level at
the peak hour's load is computed with Erlang A with and without it.

>>> from servesell.queueing.load import Load, Target
>>> from servesell.report.costs import CostModel
>>> p = plan(PlanInputs(offers=(OfferForecast("o1", eligible=1000, propensity=0.1,
...          value=100.0, piece_rate=5.0, extra_handle_seconds=60.0),),
...          audience=1000, days=10, calls_per_customer_day=0.01, control_share=0.1,
...          offer_rate=1.0, peak=Load(200, 180), calls_per_day=2000, agents=14,
...          patience_seconds=300.0, target=Target(0.8, 20)), CostModel())
>>> round(p.offers), round(p.sales, 1), round(p.added_seconds_per_call, 2)
(90, 9.0, 0.27)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.queueing.abandonment import erlang_a
from servesell.queueing.staffing import agents_required

if TYPE_CHECKING:
    from servesell.queueing.load import Load, Target
    from servesell.report.costs import CostModel


@dataclass(frozen=True, slots=True)
class OfferForecast:
    """One campaign offer's inputs: eligible customers and its money and time."""

    offer_id: str
    eligible: int
    propensity: float
    value: float
    piece_rate: float
    extra_handle_seconds: float
    digital: bool = False


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """What the forecast starts from (each figure is shown in the plan)."""

    offers: tuple[OfferForecast, ...]
    audience: int
    days: float
    calls_per_customer_day: float
    control_share: float
    offer_rate: float
    peak: Load
    calls_per_day: float
    agents: int
    patience_seconds: float
    target: Target


@dataclass(frozen=True, slots=True)
class OfferPlan:
    """The forecast of one offer."""

    offer_id: str
    eligible: int
    contacts: float
    offers: float
    sales: float
    revenue: float
    talk_seconds: float
    messages: float


@dataclass(frozen=True, slots=True)
class CampaignPlan:
    """The forecast and its service impact."""

    inputs: PlanInputs
    per_offer: tuple[OfferPlan, ...]
    offers: float
    sales: float
    revenue: float
    talk_seconds: float
    added_seconds_per_call: float
    service_level_without: float
    service_level_with: float
    abandon_without: float
    abandon_with: float
    agents_needed_without: int
    agents_needed_with: int
    cost: float
    profit: float
    budget_ok: bool

    @property
    def breaks_target(self) -> bool:
        """Whether the campaign's talk time takes the peak service level below the target."""
        return self.service_level_with < self.inputs.target.level


def plan(inputs: PlanInputs, costs: CostModel, *, budget: float | None = None) -> CampaignPlan:
    """The forecast of ``inputs`` under ``costs`` (see the module docstring)."""
    per_offer = tuple(_offer_plan(o, inputs) for o in inputs.offers)
    talk = sum(p.talk_seconds for p in per_offer)
    total_calls = inputs.calls_per_day * inputs.days
    added = talk / total_calls if total_calls > 0 else 0.0
    peak, target = inputs.peak, inputs.target
    with_talk = peak.with_aht(peak.aht_seconds + added)
    base = erlang_a(peak, inputs.agents, target.seconds, inputs.patience_seconds)
    more = erlang_a(with_talk, inputs.agents, target.seconds, inputs.patience_seconds)
    sales = sum(p.sales for p in per_offer)
    revenue = sum(p.revenue for p in per_offer)
    piece = sum(p.sales * o.piece_rate for p, o in zip(per_offer, inputs.offers, strict=True))
    messages = sum(p.messages for p in per_offer)
    cost = piece + costs.talk(talk) + costs.message * messages
    return CampaignPlan(
        inputs=inputs,
        per_offer=per_offer,
        offers=sum(p.offers for p in per_offer),
        sales=sales,
        revenue=revenue,
        talk_seconds=talk,
        added_seconds_per_call=added,
        service_level_without=base.service_level,
        service_level_with=more.service_level,
        abandon_without=base.abandon_share or 0.0,
        abandon_with=more.abandon_share or 0.0,
        agents_needed_without=agents_required(
            peak, target, patience_seconds=inputs.patience_seconds
        ),
        agents_needed_with=agents_required(
            with_talk, target, patience_seconds=inputs.patience_seconds
        ),
        cost=cost,
        profit=revenue - cost,
        budget_ok=budget is None or cost <= budget,
    )


def _offer_plan(offer: OfferForecast, inputs: PlanInputs) -> OfferPlan:
    contacts = offer.eligible * inputs.calls_per_customer_day * inputs.days
    made = contacts * (1 - inputs.control_share) * inputs.offer_rate
    sales = made * offer.propensity
    return OfferPlan(
        offer_id=offer.offer_id,
        eligible=offer.eligible,
        contacts=contacts,
        offers=made,
        sales=sales,
        revenue=sales * offer.value,
        talk_seconds=0.0 if offer.digital else made * offer.extra_handle_seconds,
        messages=made if offer.digital else 0.0,
    )
