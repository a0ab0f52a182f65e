"""Cost–benefit of a campaign's treated group: what it brought in against what it cost.

Incremental revenue is the lift in revenue per contact × treated customers (with its
interval); the costs are the piece rates frozen with each sale, the offers' talk time at
the loaded agent cost and the messages sent (:class:`~servesell.report.costs.CostModel`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from servesell.campaigns.evaluate import Unit
    from servesell.campaigns.stats import Estimate
    from servesell.report.costs import CostModel


@dataclass(frozen=True, slots=True)
class CostBenefit:
    """Money of the treated group: what the campaign brought in and what it cost."""

    revenue: float
    incremental_revenue: float
    incremental_revenue_low: float
    incremental_revenue_high: float
    incremental_sales: float
    piece_rate_cost: float
    talk_seconds: float
    talk_cost: float
    messages: int
    message_cost: float
    total_cost: float
    incremental_profit: float
    roi: float | None
    days: float
    profit_per_day: float
    budget: float | None
    budget_used: float | None


def cost_benefit(
    t: Sequence[Unit],
    conversion: Estimate,
    revenue: Estimate,
    *,
    costs: CostModel,
    days: float,
    budget: float | None,
) -> CostBenefit:
    """Incremental revenue (lift × treated) against piece rates, talk time and messages."""
    n = len(t)
    incremental = _finite(revenue.estimate) * n
    commission = sum(u.commission for u in t)
    seconds = sum(u.added_seconds for u in t)
    messages = sum(u.messages for u in t)
    total = commission + costs.talk(seconds) + costs.messages(messages)
    profit = incremental - total
    return CostBenefit(
        revenue=round(sum(u.revenue for u in t), 2),
        incremental_revenue=round(incremental, 2),
        incremental_revenue_low=round(_finite(revenue.low) * n, 2),
        incremental_revenue_high=round(_finite(revenue.high) * n, 2),
        incremental_sales=round(_finite(conversion.estimate) * n, 1),
        piece_rate_cost=round(commission, 2),
        talk_seconds=round(seconds, 1),
        talk_cost=round(costs.talk(seconds), 2),
        messages=messages,
        message_cost=round(costs.messages(messages), 2),
        total_cost=round(total, 2),
        incremental_profit=round(profit, 2),
        roi=round(profit / total, 4) if total > 0 else None,
        days=days,
        profit_per_day=round(profit / days, 2) if days > 0 else 0.0,
        budget=budget,
        budget_used=round(total / budget, 4) if budget else None,
    )


def _finite(value: float) -> float:
    return 0.0 if math.isnan(value) else value
