"""Campaigns decided, run and evaluated honestly: plan, hold-out, lift, guardrails, money.

Pure functions over domain objects (no I/O). Other capabilities (outbound lists,
promotional bursts) use :func:`in_holdout` / :func:`split_audience` so a held-out customer
is never contacted by any channel of the campaign.
"""

from servesell.campaigns.evaluate import (
    CampaignEvaluation,
    Evaluation,
    Guardrail,
    Satisfaction,
    SegmentLift,
    ServiceImpact,
    Unit,
    evaluate,
)
from servesell.campaigns.holdout import govern, in_holdout, split_audience
from servesell.campaigns.money import CostBenefit, cost_benefit
from servesell.campaigns.plan import CampaignPlan, OfferForecast, OfferPlan, PlanInputs, plan
from servesell.campaigns.stats import (
    Estimate,
    Sequence95,
    SrmCheck,
    benjamini_hochberg,
    confidence_sequence,
    cuped_lift,
    mean_lift,
    proportion_lift,
    srm,
)

__all__ = [
    "CampaignEvaluation",
    "CampaignPlan",
    "CostBenefit",
    "Estimate",
    "Evaluation",
    "Guardrail",
    "OfferForecast",
    "OfferPlan",
    "PlanInputs",
    "Satisfaction",
    "SegmentLift",
    "Sequence95",
    "ServiceImpact",
    "SrmCheck",
    "Unit",
    "benjamini_hochberg",
    "confidence_sequence",
    "cost_benefit",
    "cuped_lift",
    "evaluate",
    "govern",
    "in_holdout",
    "mean_lift",
    "plan",
    "proportion_lift",
    "split_audience",
    "srm",
]
