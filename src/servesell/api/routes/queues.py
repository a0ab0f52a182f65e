"""Queue state from the ACD, the serve/sell mode it implies, and the gate a supervisor tunes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import Connection

from servesell.api.deps import AgentDep, ConnDep, DbDep, RuntimeDep, SupervisorDep
from servesell.api.schemas import AUTHED, ModeOut, QueueStateIn
from servesell.domain import QueueState
from servesell.domain.decision import Mode
from servesell.queueing.settings import GateSettings
from servesell.service.gate import change_gate
from servesell.service.queues import queue_mode
from servesell.service.runtime import Runtime
from servesell.store import load_gate_settings
from servesell.store.queues import load_queue_state, save_queue_state

router = APIRouter(prefix="/v1", tags=["queues"], responses=AUTHED)

QueueName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.put("/queues/{queue}/state")
def put_queue_state(
    queue: QueueName, body: QueueStateIn, db: DbDep, runtime: RuntimeDep, user: SupervisorDep
) -> ModeOut:
    """Report the queue's current state (calls waiting, agents); returns the resulting mode."""
    fields = body.model_dump(exclude={"at"})
    state = QueueState(queue=queue, at=body.at or dt.datetime.now(dt.UTC), **fields)
    with db.begin() as conn:
        save_queue_state(conn, state)
    with db.connect() as conn:
        return _mode(runtime, conn, queue, state, at=state.at)


@router.get("/queues/{queue}/mode")
def get_mode(queue: QueueName, conn: ConnDep, runtime: RuntimeDep, user: AgentDep) -> ModeOut:
    """Serve or sell, and how many extra seconds of offer talk a call may add now."""
    return _mode(runtime, conn, queue, load_queue_state(conn, queue))


@router.get("/gate")
def get_gate(conn: ConnDep, user: SupervisorDep) -> GateSettings:
    """The load gate in force."""
    return load_gate_settings(conn)


@router.put("/gate")
def put_gate(body: GateSettings, runtime: RuntimeDep, user: SupervisorDep) -> GateSettings:
    """Tune the load gate (kind, calls-waiting threshold, seconds per call); audited."""
    return change_gate(runtime, body, actor=user.name)


def _mode(
    runtime: Runtime,
    conn: Connection,
    queue: str,
    state: QueueState | None,
    *,
    at: dt.datetime | None = None,
) -> ModeOut:
    judged = queue_mode(runtime, conn, queue, state, at=at)
    return ModeOut(
        queue=queue,
        mode="sell" if judged.mode is Mode.SELL else "serve",
        allowed_extra_seconds=judged.allowed_extra_seconds,
        state=state.model_dump(mode="json") if state else None,
    )
