"""Decisions for screen pops, their explanations, and the outcomes agents record."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Path, Query, Response, status

from servesell.api.schemas import AUTHED, DecisionRequest, OutcomeOut, OutcomeRequest, errors
from servesell.decide import why_not
from servesell.domain import CallContext, Outcome
from servesell.http import AgentCall, AgentCallDep, AgentDep, ConnDep, DbDep, DeskDep, SettingsDep
from servesell.service.access import acting_agent, check_own_call, read_personal
from servesell.service.clock import ClientClock
from servesell.service.views import DecisionView
from servesell.store import get_decision
from servesell.store.decisions import decision_owner
from servesell.store.follow_ups import follow_ups_of

router = APIRouter(
    prefix="/v1/decisions", tags=["decisions"], responses={**AUTHED, **errors(404, 409)}
)

DecisionId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DecisionView,
    responses={200: {"description": "The decision already made for this customer and call_id"}},
)
async def create_decision(
    body: DecisionRequest,
    call: AgentCallDep,
    explain: Annotated[bool, Query(description="Include every candidate's fate")] = False,
) -> Response:
    """Decide which offers (if any) the agent should make on this call, and log it.

    A request repeated with the same ``customer_id`` and ``call_id`` (a CTI retrying
    after a timeout) returns the decision already made (200), so nothing — no offer, no
    follow-up message — is made or counted twice.

    An agent decides only as themselves (``agent_id`` absent or their own name); a
    supervisor token may name another agent, who must exist (403 otherwise).
    ``at`` follows the server's clock rules (a few minutes of skew; see
    ``docs/design.md``), else 422.
    """
    return await decided(body, call, explain=explain)


async def decided(body: DecisionRequest, call: AgentCall, *, explain: bool) -> Response:
    """The decision's answer, made in one of the worker's decision threads.

    Also what :mod:`servesell.api.fastpath` answers a recognised screen pop with.
    """
    return await to_thread.run_sync(_decided, body, call, explain, limiter=call.threads)


def _decided(body: DecisionRequest, call: AgentCall, explain: bool) -> Response:
    """The decision's answer, made in one worker thread: decided, logged, committed, JSON.

    The hot path of ``bench/api.py``: one thread hop per request (a sync route takes a
    second one for FastAPI's check of the returned model), and the JSON is written once
    from the view, exactly as FastAPI writes a returned :class:`DecisionView`.
    """
    agent = acting_agent(call.desk.db, call.user, body.agent_id, known=call.tokens)
    context = CallContext(
        at=ClientClock.of(call.settings).accept(body.at, field="at"),
        reason=body.reason,
        agent_id=agent,
        call_id=body.call_id,
        queue=body.queue,
        language=body.language,
    )
    pop = call.desk.screen_pop(body.customer_id, context, reuse=True)
    code = status.HTTP_201_CREATED
    if pop.revisited:
        check_own_call(call.user, pop.decision)
        code = status.HTTP_200_OK
    view = DecisionView.of(pop, full=explain)
    content = view.model_dump_json(by_alias=True)  # as FastAPI dumps a returned model
    return Response(content, status_code=code, media_type="application/json")


@router.get("/{decision_id}")
def read_decision(
    decision_id: DecisionId, desk: DeskDep, settings: SettingsDep, user: AgentDep
) -> DecisionView:
    """A logged decision with every candidate's fate, reason and score factors.

    An agent reads only decisions on a customer they are serving (403); audited.
    """
    with desk.db.begin() as conn:
        customer_id, _ = decision_owner(conn, decision_id)
        read_personal(
            conn,
            user,
            entity="decision",
            entity_id=decision_id,
            customer_id=customer_id,
            settings=settings,
        )
    return DecisionView.of(desk.revisit(decision_id), full=True)


@router.get("/{decision_id}/why/{offer_id}")
def why_offer(
    decision_id: DecisionId,
    offer_id: Annotated[str, Path(min_length=1, max_length=64)],
    db: DbDep,
    conn: ConnDep,
    settings: SettingsDep,
    user: AgentDep,
) -> dict[str, str | None]:
    """Why ``offer_id`` was or was not made in this decision, in one sentence.

    ``follow_up`` is the real status of its digital follow-up, when one was queued. An
    agent asks only about a customer they are serving (403); audited.
    """
    with db.begin() as audited:
        customer_id, _ = decision_owner(audited, decision_id)
        read_personal(
            audited,
            user,
            entity="decision",
            entity_id=decision_id,
            customer_id=customer_id,
            settings=settings,
        )
    why = why_not(get_decision(conn, decision_id), offer_id)
    shown = [m.shown for m in follow_ups_of(conn, decision_id) if m.offer_id == offer_id]
    return {
        "decision_id": decision_id,
        "offer_id": offer_id,
        "why": why,
        "follow_up": shown[-1] if shown else None,
    }


@router.post(
    "/{decision_id}/outcomes",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {
            "model": OutcomeOut,
            "description": "The same outcome was already stored (``created`` is false)",
        }
    },
)
def create_outcome(
    decision_id: DecisionId,
    body: OutcomeRequest,
    desk: DeskDep,
    user: AgentDep,
    settings: SettingsDep,
    response: Response,
) -> OutcomeOut:
    """Record what happened to a shown offer; the same outcome twice is stored once (200).

    An agent records outcomes only on their own calls (403); a supervisor may record one
    on any agent's call, a correction that is audited.
    ``recorded_at`` follows the server's clock rules (see ``docs/design.md``), else 422.
    """
    outcome = Outcome(
        decision_id=decision_id,
        offer_id=body.offer_id,
        result=body.result,
        recorded_at=ClientClock.of(settings).accept(body.recorded_at, field="recorded_at"),
        channel=body.channel,
        decline_reason=body.decline_reason,
        extra_handle_seconds=body.extra_handle_seconds,
    )
    created = desk.record(outcome, by=user)
    if not created:
        response.status_code = status.HTTP_200_OK
    return OutcomeOut(
        decision_id=decision_id,
        offer_id=body.offer_id,
        result=body.result,
        channel=body.channel,
        created=created,
    )
