"""Decisions for screen pops, their explanations, and the outcomes agents record."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from servesell.api.schemas import AUTHED, DecisionRequest, OutcomeOut, OutcomeRequest, errors
from servesell.decide import why_not
from servesell.domain import CallContext, Outcome
from servesell.http import AgentDep, ConnDep, DbDep, DeskDep
from servesell.service.outcomes import record
from servesell.service.views import DecisionView
from servesell.store import get_decision

router = APIRouter(
    prefix="/v1/decisions", tags=["decisions"], responses={**AUTHED, **errors(404, 409)}
)

DecisionId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_decision(
    body: DecisionRequest,
    desk: DeskDep,
    user: AgentDep,
    explain: Annotated[bool, Query(description="Include every candidate's fate")] = False,
) -> DecisionView:
    """Decide which offers (if any) the agent should make on this call, and log it."""
    context = CallContext(
        at=body.at or dt.datetime.now(dt.UTC),
        reason=body.reason,
        agent_id=body.agent_id or user.name,
        call_id=body.call_id,
        queue=body.queue,
        language=body.language,
    )
    return DecisionView.of(desk.screen_pop(body.customer_id, context), full=explain)


@router.get("/{decision_id}")
def read_decision(decision_id: DecisionId, desk: DeskDep, user: AgentDep) -> DecisionView:
    """A logged decision with every candidate's fate, reason and score factors."""
    return DecisionView.of(desk.revisit(decision_id), full=True)


@router.get("/{decision_id}/why/{offer_id}")
def why_offer(
    decision_id: DecisionId,
    offer_id: Annotated[str, Path(min_length=1, max_length=64)],
    conn: ConnDep,
    user: AgentDep,
) -> dict[str, str]:
    """Why ``offer_id`` was or was not made in this decision, in one sentence."""
    return {
        "decision_id": decision_id,
        "offer_id": offer_id,
        "why": why_not(get_decision(conn, decision_id), offer_id),
    }


@router.post("/{decision_id}/outcomes", status_code=status.HTTP_201_CREATED)
def create_outcome(
    decision_id: DecisionId, body: OutcomeRequest, db: DbDep, user: AgentDep, response: Response
) -> OutcomeOut:
    """Record what happened to a shown offer; the same outcome twice is stored once (200)."""
    outcome = Outcome(
        decision_id=decision_id,
        offer_id=body.offer_id,
        result=body.result,
        recorded_at=body.recorded_at or dt.datetime.now(dt.UTC),
        channel=body.channel,
        decline_reason=body.decline_reason,
        extra_handle_seconds=body.extra_handle_seconds,
    )
    created = record(db, outcome)
    if not created:
        response.status_code = status.HTTP_200_OK
    return OutcomeOut(
        decision_id=decision_id,
        offer_id=body.offer_id,
        result=body.result,
        channel=body.channel,
        created=created,
    )
