"""Incentives on top of service (seeds/000, seeds/004): piece rates, a service gate, clawback.

* **Piece rate** of an offer, frozen on the sale's outcome row when the sale is recorded::

      rate = base × difficulty × (1 + handle_weight × extra_handle_minutes)

  ``base`` is the offer's catalog ``piece_rate``, ``difficulty`` the plan's weight for the
  offer (default 1: harder products pay more per sale), ``handle_weight`` the share added
  per minute of talk the offer costs (default 0: the catalog rate as it is). A rate changed
  later never changes a recorded sale's commission.
* **Service gate**: no commission for a period in which the agent's service was below the
  plan's thresholds (mean CSAT, share resolved — over at least ``min_surveys`` answers —
  and mean handle time); service comes first.
* **Clawback**: a sale cancelled within ``clawback_days`` of being recorded takes its
  commission back, in the period the cancellation was recorded (a past statement never
  changes).
* **Competitions** pay their prize to each winner (each member of a winning team) in the
  period the competition ends.

>>> plan = IncentivePlan(difficulty={"car_loan": 2.0}, handle_weight=0.1)
>>> piece_rate(base=30.0, offer_id="car_loan", extra_handle_seconds=180, plan=plan)
78.0
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field


class ServiceGate(BaseModel):
    """Thresholds an agent's period must meet to earn commission (``None``: not checked)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    min_csat: float | None = Field(default=None, ge=1, le=5)
    min_resolved: float | None = Field(default=None, ge=0, le=1)
    max_aht_seconds: float | None = Field(default=None, gt=0, le=86_400)
    min_surveys: int = Field(default=5, ge=1, le=10_000)


class IncentivePlan(BaseModel):
    """The incentive rules in force (stored as versions, the newest in force)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    difficulty: dict[str, float] = Field(default_factory=dict)
    handle_weight: float = Field(default=0.0, ge=0, le=10)
    gate: ServiceGate = ServiceGate()
    clawback_days: int = Field(default=30, ge=0, le=3650)


def piece_rate(
    *, base: float, offer_id: str, extra_handle_seconds: float, plan: IncentivePlan
) -> float:
    """The commission of one sale of ``offer_id`` under ``plan`` (module docstring)."""
    weight = plan.difficulty.get(offer_id, 1.0)
    return round(base * weight * (1 + plan.handle_weight * extra_handle_seconds / 60), 2)


@dataclass(frozen=True, slots=True)
class AgentService:
    """An agent's service in a period: surveys answered, mean CSAT, share resolved, AHT."""

    surveys: int
    csat: float | None
    resolved: float | None
    aht_seconds: float | None


@dataclass(frozen=True, slots=True)
class GateVerdict:
    """Whether the service gate let commission through, and why not."""

    passed: bool
    reasons: tuple[str, ...] = ()


def judge_service(service: AgentService, gate: ServiceGate) -> GateVerdict:
    """The gate's verdict on ``service`` (too few surveys: satisfaction is not judged)."""
    reasons = []
    enough = service.surveys >= gate.min_surveys
    if gate.min_csat is not None and enough and (service.csat or 0) < gate.min_csat:
        reasons.append(f"mean CSAT {service.csat:.2f} below {gate.min_csat:g}")
    if gate.min_resolved is not None and enough and (service.resolved or 0) < gate.min_resolved:
        reasons.append(f"resolved {service.resolved:.0%} below {gate.min_resolved:.0%}")
    aht = service.aht_seconds
    if gate.max_aht_seconds is not None and aht is not None and aht > gate.max_aht_seconds:
        reasons.append(f"mean handle time {aht:.0f} s above {gate.max_aht_seconds:g} s")
    return GateVerdict(not reasons, tuple(reasons))


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One line of a pay statement."""

    kind: str
    """``sale``, ``clawback`` or ``prize``."""
    at: dt.datetime
    what: str
    amount: float


@dataclass(frozen=True, slots=True)
class PayStatement:
    """An agent's pay from incentives for one period."""

    agent_id: str
    since: dt.datetime
    until: dt.datetime
    sales: int
    gross_commission: float
    gate: GateVerdict
    service: AgentService
    commission_paid: float
    clawbacks: float
    prizes: float
    total: float
    lines: tuple[StatementLine, ...] = field(default=())


def statement(
    agent_id: str,
    *,
    since: dt.datetime,
    until: dt.datetime,
    lines: list[StatementLine],
    service: AgentService,
    plan: IncentivePlan,
) -> PayStatement:
    """Add up ``lines`` under the plan's service gate (withheld sales stay listed)."""
    gate = judge_service(service, plan.gate)
    gross = sum(line.amount for line in lines if line.kind == "sale")
    clawed = sum(line.amount for line in lines if line.kind == "clawback")
    prizes = sum(line.amount for line in lines if line.kind == "prize")
    paid = gross if gate.passed else 0.0
    return PayStatement(
        agent_id=agent_id,
        since=since,
        until=until,
        sales=sum(1 for line in lines if line.kind == "sale"),
        gross_commission=round(gross, 2),
        gate=gate,
        service=service,
        commission_paid=round(paid, 2),
        clawbacks=round(clawed, 2),
        prizes=round(prizes, 2),
        total=round(paid + clawed + prizes, 2),
        lines=tuple(sorted(lines, key=lambda line: line.at)),
    )
