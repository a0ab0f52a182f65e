"""Queue state from the ACD, the serve/sell mode it implies, and the gate a supervisor tunes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path

from servesell.api.schemas import AUTHED, QueueStateIn
from servesell.domain import QueueState
from servesell.http import (
    AgentDep,
    ConnDep,
    DbDep,
    DeskDep,
    EnginesDep,
    SettingsDep,
    SupervisorDep,
)
from servesell.queueing.settings import GateSettings
from servesell.service.clock import ClientClock
from servesell.service.gate import change_gate
from servesell.service.queues import QueueMode
from servesell.store import load_gate_settings
from servesell.store.queues import save_queue_state

router = APIRouter(prefix="/v1", tags=["queues"], responses=AUTHED)

QueueName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.put("/queues/{queue}/state")
def put_queue_state(
    queue: QueueName,
    body: QueueStateIn,
    desk: DeskDep,
    user: SupervisorDep,
    settings: SettingsDep,
) -> QueueMode:
    """Report the queue's current state (calls waiting, agents); returns the resulting mode.

    ``at`` follows the server's clock rules (see ``docs/design.md``), else 422.
    """
    fields = body.model_dump(exclude={"at"})
    at = ClientClock.of(settings).accept(body.at, field="at")
    state = QueueState(queue=queue, at=at, **fields)
    with desk.db.begin() as conn:
        save_queue_state(conn, state)
    with desk.db.connect() as conn:
        return desk.mode(conn, queue, state, at=state.at)


@router.get("/queues/{queue}/mode")
def get_mode(queue: QueueName, conn: ConnDep, desk: DeskDep, user: AgentDep) -> QueueMode:
    """Serve or sell, how many extra seconds of offer talk a call may add, and divert or not.

    ``divert: true`` asks the ACD to offer waiting callers self-service or a callback.
    """
    return desk.mode(conn, queue, at=dt.datetime.now(dt.UTC))


@router.get("/gate")
def get_gate(conn: ConnDep, user: SupervisorDep) -> GateSettings:
    """The load gate in force."""
    return load_gate_settings(conn)


@router.put("/gate")
def put_gate(
    body: GateSettings, db: DbDep, engines: EnginesDep, user: SupervisorDep
) -> GateSettings:
    """Tune the load gate (kind, calls-waiting threshold, seconds per call); audited."""
    return change_gate(db, body, actor=user.name, engines=engines)
