"""The online model: where it stands, drift alarms, and what it believes about a customer."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from servesell.api.schemas import AUTHED, errors
from servesell.domain import CallContext
from servesell.http import ConnDep, EnginesDep, SupervisorDep
from servesell.http.ids import Id, Name
from servesell.service.monitor import Beliefs, ModelStatus, beliefs, model_status

router = APIRouter(prefix="/v1/model", tags=["model"], responses=AUTHED)


@router.get("/status")
def read_model_status(
    conn: ConnDep,
    engines: EnginesDep,
    user: SupervisorDep,
    days: Annotated[float, Query(gt=0, le=366, description="Days of answers watched")] = 35.0,
) -> ModelStatus:
    """When the model last learned and from how many outcomes; calibration, take-up, alarms."""
    engines.get(conn)  # bring this worker's copy up to date first
    return model_status(conn, engines.online, days=days)


@router.get("/beliefs", responses=errors(404))
def read_beliefs(
    conn: ConnDep,
    engines: EnginesDep,
    user: SupervisorDep,
    customer_id: Annotated[Id, Query()],
    reason: Annotated[Name, Query()] = "other",
) -> Beliefs:
    """The answering worker's propensity of every offer on each channel for one customer."""
    engine = engines.get(conn)
    context = CallContext(at=dt.datetime.now(dt.UTC), reason=reason)
    return beliefs(conn, engine, customer_id, context, engines.online)
