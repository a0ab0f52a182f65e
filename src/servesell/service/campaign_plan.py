"""The campaign plan from the store: eligible audience, learned propensities, recent load.

Audience: every stored customer is tagged with the campaign's offers as the engine would
run them (offer rule AND campaign audience, active on the first day), minus the customers
contact policy always protects (blacklisted, do-not-market, open complaint, VIP unless the
offer is cleared for VIPs). Propensities: the stored adaptive model when there is one, else
each offer's prior, averaged over a seeded sample of eligible customers and the recent mix
of call reasons. Load: the last 28 days of calls, unless the planner gives the figures.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from servesell.campaigns.holdout import govern
from servesell.campaigns.plan import OfferForecast, PlanInputs, plan
from servesell.decide import Catalog
from servesell.decide.prior import PriorPropensity
from servesell.domain import CallContext
from servesell.domain.campaign import CampaignRecord, CampaignState
from servesell.errors import CampaignError
from servesell.queueing.load import Load, Target
from servesell.queueing.staffing import agents_required
from servesell.store import iter_customers, list_offers, load_gate_settings, require_schema
from servesell.store.learning import ADAPTIVE_MODEL, model_head
from servesell.store.load_history import load_history, offer_make_rate
from servesell.store.queues import list_queue_states

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.campaigns.plan import CampaignPlan
    from servesell.domain import Customer, Offer, PropensityModel
    from servesell.report.costs import CostModel
    from servesell.store.load_history import LoadHistory

HISTORY_DAYS = 28
SAMPLE = 300
"""Eligible customers per offer whose propensity is averaged."""


@dataclass(frozen=True, slots=True)
class LoadAssumptions:
    """Figures the planner may give instead of the log's (``None``: read the log)."""

    calls_per_hour: float | None = None
    calls_per_day: float | None = None
    aht_seconds: float | None = None
    agents: int | None = None
    patience_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class Forecast:
    """The plan and where each input came from."""

    plan: CampaignPlan
    sources: dict[str, str] = field(default_factory=dict)


def forecast(
    conn: Connection,
    record: CampaignRecord,
    costs: CostModel,
    *,
    tz: dt.tzinfo,
    load: LoadAssumptions = LoadAssumptions(),
    now: dt.datetime | None = None,
    seed: int = 0,
) -> Forecast:
    """The plan of ``record`` (see the module docstring); raises when no load is known."""
    now = now or dt.datetime.now(dt.UTC)
    campaign = record.campaign
    day = campaign.starts_on or now.astimezone(tz).date()
    schema = require_schema(conn)
    running = CampaignRecord(campaign=campaign, state=CampaignState.RUNNING)
    offers = [o for o in govern(list_offers(conn), [running]) if o.id in campaign.offers]
    tagged = _tag(conn, Catalog(offers, schema), day, seed)
    since = now - dt.timedelta(days=HISTORY_DAYS)
    history = load_history(conn, since=since, until=now, tz=tz)
    model = _model(conn)
    reasons = history.reasons if history else {"other": 1}
    forecasts = tuple(
        OfferForecast(
            offer_id=o.id,
            eligible=tagged.eligible[o.id],
            propensity=_mean_propensity(model, o, tagged.samples[o.id], reasons, now),
            value=o.value,
            piece_rate=o.piece_rate,
            extra_handle_seconds=o.extra_handle_seconds,
            digital=not any(c.value == "in_call" for c in o.channels),
        )
        for o in offers
    )
    inputs, sources = _inputs(
        conn,
        record=record,
        forecasts=forecasts,
        tagged=tagged,
        h=history,
        load=load,
        since=since,
        now=now,
    )
    sources["propensity"] = (
        "adaptive model" if not isinstance(model, PriorPropensity) else "offer priors"
    )
    return Forecast(plan(inputs, costs, budget=campaign.budget), sources)


@dataclass(slots=True)
class _Tagged:
    customers: int = 0
    audience: int = 0
    eligible: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: dict[str, list[Customer]] = field(default_factory=lambda: defaultdict(list))


def _tag(conn: Connection, catalog: Catalog, day: dt.date, seed: int) -> _Tagged:
    """Eligible customers per offer and in all, with a reservoir sample per offer."""
    rng = random.Random(seed)
    out = _Tagged()
    for customer in iter_customers(conn, require_schema(conn)):
        out.customers += 1
        if customer.blacklisted or customer.do_not_market or customer.open_complaint:
            continue
        eligible = [
            c.offer
            for c in catalog.split(customer, day)[0]
            if c.offer.vip_allowed or not customer.vip
        ]
        out.audience += bool(eligible)
        for offer in eligible:
            out.eligible[offer.id] += 1
            sample = out.samples[offer.id]
            seen = out.eligible[offer.id]
            if len(sample) < SAMPLE:
                sample.append(customer)
            elif (slot := rng.randrange(seen)) < SAMPLE:
                sample[slot] = customer
    return out


def _model(conn: Connection) -> PropensityModel:
    if model_head(conn, ADAPTIVE_MODEL) is None:
        return PriorPropensity()
    from servesell.service.learning import load_adaptive

    return load_adaptive(conn).model


def _mean_propensity(
    model: PropensityModel,
    offer: Offer,
    sample: list[Customer],
    reasons: dict[str, int],
    at: dt.datetime,
) -> float:
    if not sample:
        return 0.0
    total = sum(reasons.values())
    mean = 0.0
    for reason, count in reasons.items():
        context = CallContext(at=at, reason=reason)
        per_reason = sum(model.propensity(offer, c, context) for c in sample) / len(sample)
        mean += per_reason * count / total
    return mean


def _inputs(
    conn: Connection,
    *,
    record: CampaignRecord,
    forecasts: tuple[OfferForecast, ...],
    tagged: _Tagged,
    h: LoadHistory | None,
    load: LoadAssumptions,
    since: dt.datetime,
    now: dt.datetime,
) -> tuple[PlanInputs, dict[str, str]]:
    sources: dict[str, str] = {}
    gate = load_gate_settings(conn)
    peak = _given_or(
        load.calls_per_hour, h.peak_calls_per_hour if h else None, "calls_per_hour", sources
    )
    per_day = _given_or(
        load.calls_per_day, h.calls_per_day if h else None, "calls_per_day", sources
    )
    aht = _given_or(load.aht_seconds, h.aht_seconds if h else None, "aht_seconds", sources)
    patience = load.patience_seconds or gate.patience_seconds
    target = Target(record.campaign.targets.service_level, record.campaign.targets.service_seconds)
    agents = load.agents or _staffed(conn)
    sources["agents"] = (
        "given" if load.agents else "queue reports" if agents else "staffed to target"
    )
    if not agents:
        agents = agents_required(Load(peak, aht), target, patience_seconds=patience)
    rate = offer_make_rate(conn, since=since, until=now)
    sources["offer_rate"] = "decision log (28 days)" if rate is not None else "assumed 1 (no log)"
    campaign = record.campaign
    days = _days(campaign.starts_on, campaign.ends_on)
    sources["days"] = "campaign dates" if campaign.starts_on and campaign.ends_on else "assumed 30"
    inputs = PlanInputs(
        offers=forecasts,
        audience=tagged.audience,
        days=days,
        calls_per_customer_day=per_day / max(tagged.customers, 1),
        control_share=campaign.control_share,
        offer_rate=1.0 if rate is None else rate,
        peak=Load(peak, aht),
        calls_per_day=per_day,
        agents=agents,
        patience_seconds=patience,
        target=target,
    )
    return inputs, sources


def _given_or(
    given: float | None, logged: float | None, name: str, sources: dict[str, str]
) -> float:
    if given is not None:
        sources[name] = "given"
        return given
    if logged:
        sources[name] = "calls of the last 28 days"
        return float(logged)
    option = name.replace("_", "-")
    raise CampaignError(
        f"no calls in the last {HISTORY_DAYS} days to forecast the load from; give --{option}"
    )


def _staffed(conn: Connection) -> int | None:
    staffed = sum(s.agents_staffed for s in list_queue_states(conn))
    return staffed or None


def _days(starts: dt.date | None, ends: dt.date | None) -> float:
    return float((ends - starts).days + 1) if starts and ends else 30.0
