"""Decisions for screen pops, their explanations, and the outcomes agents record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from servesell.api.deps import AgentDep, ConnDep, DbDep, RuntimeDep
from servesell.api.schemas import (
    AUTHED,
    CandidateOut,
    DecisionOut,
    DecisionRequest,
    DigitalOffer,
    OutcomeOut,
    OutcomeRequest,
    ShownOffer,
    errors,
)
from servesell.decide import describe, explain_candidate, why_not
from servesell.domain import CallContext, Decision, Offer, Outcome
from servesell.service.screen import screen_pop
from servesell.store import get_decision, record_outcome
from servesell.store.db import write_transaction

router = APIRouter(
    prefix="/v1/decisions", tags=["decisions"], responses={**AUTHED, **errors(404, 409)}
)

DecisionId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_decision(
    body: DecisionRequest,
    runtime: RuntimeDep,
    user: AgentDep,
    explain: Annotated[bool, Query(description="Include every candidate's fate")] = False,
) -> DecisionOut:
    """Decide which offers (if any) the agent should make on this call, and log it."""
    at = body.at or dt.datetime.now(dt.UTC)
    context = CallContext(
        at=at,
        reason=body.reason,
        agent_id=body.agent_id or user.name,
        call_id=body.call_id,
        queue=body.queue,
    )
    pop = screen_pop(runtime, body.customer_id, context)
    return _out(pop.decision, pop.offers, pop.scripts, full=explain)


@router.get("/{decision_id}")
def read_decision(
    decision_id: DecisionId, conn: ConnDep, runtime: RuntimeDep, user: AgentDep
) -> DecisionOut:
    """A logged decision with every candidate's fate, reason and score factors."""
    decision = get_decision(conn, decision_id)
    engine = runtime.engine(conn)
    offers = {c.offer.id: c.offer for c in engine.catalog.offers}
    return _out(decision, offers, {}, full=True)


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
    with write_transaction(db) as conn:
        created = record_outcome(conn, outcome)
    if not created:
        response.status_code = status.HTTP_200_OK
    return OutcomeOut(
        decision_id=decision_id,
        offer_id=body.offer_id,
        result=body.result,
        channel=body.channel,
        created=created,
    )


def _out(
    decision: Decision, offers: Mapping[str, Offer], scripts: Mapping[str, str], *, full: bool
) -> DecisionOut:
    shown = []
    for c in decision.shown:
        offer = offers.get(c.offer_id)
        shown.append(
            ShownOffer(
                offer_id=c.offer_id,
                name=offer.name if offer else c.offer_id,
                script=scripts.get(c.offer_id, offer.script if offer else ""),
                value=c.scores.value,
                extra_handle_seconds=offer.extra_handle_seconds if offer else 0.0,
                probability=c.probability,
                why=describe(c.reason),
            )
        )
    digital = [
        DigitalOffer(
            offer_id=c.offer_id,
            name=offers[c.offer_id].name if c.offer_id in offers else c.offer_id,
            channel=c.channel,
        )
        for c in decision.digital
        if c.channel is not None
    ]
    return DecisionOut(
        decision_id=decision.id,
        customer_id=decision.customer_id,
        made_at=decision.made_at,
        mode=decision.mode.value,
        budget_seconds=decision.budget_seconds,
        explored=decision.explored,
        offers=shown,
        digital=digital,
        candidates=[CandidateOut.model_validate(explain_candidate(c)) for c in decision.candidates]
        if full
        else None,
        ineligible=list(decision.ineligible) if full else None,
    )
