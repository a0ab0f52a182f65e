"""Outbound journeys over HTTP: post events, read the day's call list, report dispositions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from servesell.api.schemas import AUTHED, errors
from servesell.http import AgentDep, DbDep, SettingsDep, SupervisorDep
from servesell.journeys.dispositions import Disposition

router = APIRouter(prefix="/v1", tags=["journeys"], responses={**AUTHED, **errors(404, 409)})
MAX_EVENTS = 10_000


class EventsIn(BaseModel):
    """Events as rows of the events file (event_id, customer_id, kind, at, optional extras)."""

    model_config = ConfigDict(extra="forbid")

    events: list[dict[str, Any]] = Field(max_length=MAX_EVENTS)


class RowReject(BaseModel):
    """Why one posted row was not accepted (as in a file import's reject file)."""

    index: int
    column: str
    value: str
    reason: str


class EventsOut(BaseModel):
    """Rows accepted (new or already known: posting again is harmless) and rows refused."""

    accepted: int
    rejected: list[RowReject]


@router.post("/events")
def post_events(body: EventsIn, db: DbDep, settings: SettingsDep, user: AgentDep) -> EventsOut:
    """Store events idempotently by ``event_id``; each bad row is refused with its reason."""
    from servesell.ingest.events import RowError, parse_row, store_row

    tz = ZoneInfo(settings.timezone)
    rejected: list[RowReject] = []
    accepted = 0
    with db.begin() as conn:
        for index, row in enumerate(body.events):
            cells = {k: v for k, v in row.items() if v is not None}
            try:
                store_row(conn, "events", parse_row("events", cells, tz))
            except RowError as exc:
                rejected.append(
                    RowReject(index=index, column=exc.column, value=exc.value, reason=str(exc))
                )
                continue
            accepted += 1
    return EventsOut(accepted=accepted, rejected=rejected)


class CallLine(BaseModel):
    """One call on the list."""

    task_id: int
    customer_id: str
    journey: str
    step: str
    purpose: str
    script: str
    call_from: dt.datetime
    time_zone: str
    gmt_offset: float
    p_answer: float
    score: float
    team: str | None
    owner: str | None


class CallListOut(BaseModel):
    """A day's list: capacity, calls in order, and why other due tasks are not on it."""

    day: dt.date
    team: str | None
    capacity: int
    calls: list[CallLine]
    skipped: dict[str, int]
    over_capacity: int


@router.get("/call-lists/{day}")
def get_call_list(
    day: dt.date,
    db: DbDep,
    settings: SettingsDep,
    user: SupervisorDep,
    team: Annotated[str | None, Query(max_length=64)] = None,
    agents: Annotated[int | None, Query(ge=0, le=100_000)] = None,
) -> CallListOut:
    """The day's outbound list (center's date), ranked and sized to the team's capacity."""
    from servesell.service.call_lists import call_list

    with db.connect() as conn:
        calls = call_list(conn, day, tz=ZoneInfo(settings.timezone), team=team, agents_count=agents)
    lines = [
        CallLine(
            task_id=c.task.id,
            customer_id=c.task.customer_id,
            journey=c.task.journey_id,
            step=c.task.step,
            purpose=c.purpose,
            script=c.script,
            call_from=c.entry.call_at,
            time_zone=c.zone,
            gmt_offset=c.gmt_offset,
            p_answer=c.entry.p_answer,
            score=c.entry.score,
            team=c.task.team,
            owner=c.task.owner_agent,
        )
        for c in calls.lines
    ]
    return CallListOut(
        day=day,
        team=team,
        capacity=calls.capacity,
        calls=lines,
        skipped=dict(calls.skipped),
        over_capacity=calls.over_capacity,
    )


class DispositionIn(BaseModel):
    """What the dialer or agent reports on one attempt."""

    model_config = ConfigDict(extra="forbid")

    disposition: Disposition
    at: dt.datetime | None = None
    agent_id: str | None = Field(default=None, max_length=64)
    callback_at: dt.datetime | None = None
    handle_seconds: float = Field(default=0.0, ge=0, le=86400)
    outcomes: dict[str, str] = Field(default_factory=dict, max_length=20)


class DispositionOut(BaseModel):
    """The task's state after the attempt."""

    task_id: int
    status: str
    reason: str | None
    next_attempt_at: dt.datetime | None
    do_not_call: bool
    callback_at: dt.datetime | None


@router.post("/tasks/{task_id}/disposition")
def post_disposition(
    task_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: DispositionIn,
    db: DbDep,
    user: AgentDep,
) -> DispositionOut:
    """Record one attempt's disposition; the task is retried, closed, done or called back."""
    from servesell.errors import ServesellError
    from servesell.store.db import write_transaction
    from servesell.store.dispositions import record_disposition

    for stamp in (body.at, body.callback_at):
        if stamp is not None and stamp.tzinfo is None:
            raise ServesellError("times need a zone (e.g. 2026-03-02T10:00:00+08:00)")
    at = body.at or dt.datetime.now(dt.UTC)
    with write_transaction(db) as conn:
        nxt = record_disposition(
            conn,
            task_id,
            body.disposition,
            at=at,
            agent_id=body.agent_id or user.name,
            callback_at=body.callback_at,
            outcomes=body.outcomes,
            handle_seconds=body.handle_seconds,
        )
    return DispositionOut(
        task_id=task_id,
        status=nxt.status.value,
        reason=nxt.reason,
        next_attempt_at=nxt.next_attempt_at,
        do_not_call=nxt.do_not_call,
        callback_at=nxt.callback_at,
    )
