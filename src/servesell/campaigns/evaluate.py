"""Evaluate a campaign from its units: lift against the hold-out, guardrails, cost–benefit.

A *unit* is a customer for whom a campaign offer was a candidate while the campaign ran
(intent to treat: treated or held out by the hash, whether or not the offer was then
made). Conversion is a sale of a campaign offer on any channel or a purchase of its
product reported by the core systems (organic take-up in the hold-out counts too);
revenue is the gross margin of those conversions, each product once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from servesell.campaigns.money import CostBenefit, cost_benefit
from servesell.campaigns.stats import (
    Estimate,
    Sequence95,
    SrmCheck,
    benjamini_hochberg,
    confidence_sequence,
    cuped_lift,
    fisher_p,
    mean_lift,
    proportion_lift,
    srm,
)

if TYPE_CHECKING:
    import datetime as dt

    from servesell.domain.campaign import CampaignRecord
    from servesell.report.costs import CostModel


@dataclass(frozen=True, slots=True)
class Unit:
    """One customer of the campaign's population and what became of them."""

    customer_id: str
    treated: bool
    converted: bool
    revenue: float
    segment: str = "all"
    pre_purchases: float | None = None
    offered: bool = False
    handle_seconds: float | None = None
    csat: int | None = None
    resolved: bool | None = None
    complaint: bool = False
    opted_out: bool = False
    added_seconds: float = 0.0
    commission: float = 0.0
    messages: int = 0


_Getter = Callable[[Unit], float | int | bool | None]


@dataclass(frozen=True, slots=True)
class ServiceImpact:
    """Service level and abandonment (Erlang A) at the load, with and without the talk time."""

    calls_per_hour: float
    aht_seconds: float
    added_seconds_per_call: float
    agents: int
    target_level: float
    target_seconds: float
    service_level_without: float
    service_level_with: float
    abandon_without: float
    abandon_with: float

    @property
    def breaks_target(self) -> bool:
        """Whether the campaign's talk time takes the service level below the target."""
        return self.service_level_with < self.target_level


@dataclass(frozen=True, slots=True)
class SegmentLift:
    """Conversion lift in one segment with its BH-adjusted p-value."""

    segment: str
    lift: Estimate
    p_value: float
    adjusted_p: float
    discovered: bool


@dataclass(frozen=True, slots=True)
class Guardrail:
    """A figure the campaign must not make worse; ``breached`` when it is significantly worse."""

    name: str
    lift: Estimate | None
    worse_if_higher: bool
    breached: bool


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """Post-call satisfaction of the population's calls, by whether an offer was made."""

    answered_offered: int
    csat_offered: float | None
    resolved_offered: float | None
    answered_not_offered: int
    csat_not_offered: float | None
    resolved_not_offered: float | None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Everything the campaign report shows (its JSON twin is this, as a mapping)."""

    treated: int
    control: int
    offered: int
    """Treated customers to whom a campaign offer was made (in the call or digitally)."""
    srm: SrmCheck
    conversion: Estimate
    conversion_sequence: Sequence95
    revenue: Estimate
    revenue_sequence: Sequence95
    cuped_conversion: Estimate | None
    cuped_revenue: Estimate | None
    segments: list[SegmentLift]
    guardrails: list[Guardrail]
    costs: CostBenefit
    satisfaction: Satisfaction
    service: ServiceImpact | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CampaignEvaluation:
    """A campaign, the window evaluated, its segment field and the evaluation."""

    record: CampaignRecord
    since: dt.datetime
    until: dt.datetime
    segment: str | None
    evaluation: Evaluation
    currency: str


def evaluate(
    units: Sequence[Unit],
    *,
    control_share: float,
    costs: CostModel,
    days: float,
    budget: float | None = None,
    service: ServiceImpact | None = None,
    planned_units: int | None = None,
) -> Evaluation:
    """The evaluation of ``units`` (see :class:`Evaluation`)."""
    t = [u for u in units if u.treated]
    c = [u for u in units if not u.treated]
    conversion = proportion_lift(sum(u.converted for u in t), len(t), _conv(c), len(c))
    revenue = mean_lift([u.revenue for u in t], [u.revenue for u in c])
    cuped_c, cuped_r = _cuped(t, c)
    notes = [] if c else ["no held-out customers: lift cannot be measured"]
    return Evaluation(
        treated=len(t),
        control=len(c),
        offered=sum(u.offered for u in t),
        srm=srm(len(t), len(c), control_share=control_share),
        conversion=conversion,
        conversion_sequence=confidence_sequence(conversion, planned=planned_units),
        revenue=revenue,
        revenue_sequence=confidence_sequence(revenue, planned=planned_units),
        cuped_conversion=cuped_c,
        cuped_revenue=cuped_r,
        segments=segment_lifts(units),
        guardrails=guardrails(t, c, service),
        costs=cost_benefit(t, conversion, revenue, costs=costs, days=days, budget=budget),
        satisfaction=satisfaction(units),
        service=service,
        notes=notes,
    )


def segment_lifts(units: Sequence[Unit]) -> list[SegmentLift]:
    """Conversion lift per segment, Fisher p-values adjusted by Benjamini–Hochberg."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for u in units:
        k = counts[u.segment]
        side = 0 if u.treated else 2
        k[side] += 1
        k[side + 1] += u.converted
    names = sorted(counts)
    lifts = [proportion_lift(counts[s][1], counts[s][0], counts[s][3], counts[s][2]) for s in names]
    p_values = [fisher_p(counts[s][1], counts[s][0], counts[s][3], counts[s][2]) for s in names]
    adjusted = benjamini_hochberg(p_values)
    return [
        SegmentLift(s, lift, p, adj, found)
        for s, lift, p, (found, adj) in zip(names, lifts, p_values, adjusted, strict=True)
    ]


def guardrails(
    t: Sequence[Unit], c: Sequence[Unit], service: ServiceImpact | None
) -> list[Guardrail]:
    """Handle time, complaints, satisfaction, resolution, opt-outs; service from the model."""
    rails = [
        _rail("handle_seconds", _means(t, c, lambda u: u.handle_seconds), worse_if_higher=True),
        _rail("complaints", _rates(t, c, lambda u: u.complaint), worse_if_higher=True),
        _rail("csat", _means(t, c, lambda u: u.csat), worse_if_higher=False),
        _rail("resolved", _rates(t, c, lambda u: u.resolved), worse_if_higher=False),
        _rail("opt_outs", _rates(t, c, lambda u: u.opted_out), worse_if_higher=True),
    ]
    if service is not None:
        rails.append(Guardrail("service_level", None, False, service.breaks_target))
        rails.append(Guardrail("abandonment", None, True, service.abandon_with > 0.05))
    return rails


def satisfaction(units: Sequence[Unit]) -> Satisfaction:
    """CSAT and resolution of answered surveys, split by whether an offer was made."""
    parts = []
    for offered in (True, False):
        answered = [u for u in units if u.offered is offered and u.csat is not None]
        resolved = [u.resolved for u in units if u.offered is offered and u.resolved is not None]
        parts.append(
            (
                len(answered),
                _avg([float(u.csat or 0) for u in answered]),
                _avg([1.0 if r else 0.0 for r in resolved]),
            )
        )
    return Satisfaction(*parts[0], *parts[1])


def _conv(units: Sequence[Unit]) -> int:
    return sum(u.converted for u in units)


def _cuped(t: Sequence[Unit], c: Sequence[Unit]) -> tuple[Estimate | None, Estimate | None]:
    if not t or not c or any(u.pre_purchases is None for u in (*t, *c)):
        return None, None
    x_t = [float(u.pre_purchases or 0.0) for u in t]
    x_c = [float(u.pre_purchases or 0.0) for u in c]
    conv, _ = cuped_lift([float(u.converted) for u in t], x_t, [float(u.converted) for u in c], x_c)
    rev, _ = cuped_lift([u.revenue for u in t], x_t, [u.revenue for u in c], x_c)
    return conv, rev


def _means(t: Sequence[Unit], c: Sequence[Unit], get: _Getter) -> Estimate | None:
    a = [float(v) for u in t if (v := get(u)) is not None]
    b = [float(v) for u in c if (v := get(u)) is not None]
    return mean_lift(a, b) if len(a) > 1 and len(b) > 1 else None


def _rates(t: Sequence[Unit], c: Sequence[Unit], get: _Getter) -> Estimate | None:
    a = [bool(v) for u in t if (v := get(u)) is not None]
    b = [bool(v) for u in c if (v := get(u)) is not None]
    return proportion_lift(sum(a), len(a), sum(b), len(b)) if a and b else None


def _rail(name: str, lift: Estimate | None, *, worse_if_higher: bool) -> Guardrail:
    breached = lift is not None and (lift.low > 0 if worse_if_higher else lift.high < 0)
    return Guardrail(name, lift, worse_if_higher, breached)


def _avg(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None
