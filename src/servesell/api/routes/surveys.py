"""Post-call surveys posted per call by the IVR or the survey tool (CSAT 1-5, resolved)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from servesell.api.schemas import AUTHED
from servesell.http import AgentDep, DbDep, SettingsDep
from servesell.service.clock import ClientClock
from servesell.store.surveys import Survey, save_surveys

router = APIRouter(prefix="/v1/calls", tags=["surveys"], responses=AUTHED)


class SurveyIn(BaseModel):
    """One call's answer: satisfaction 1-5 and/or whether the request was resolved."""

    model_config = ConfigDict(extra="forbid")

    csat: int | None = Field(default=None, ge=1, le=5)
    resolved: bool | None = None
    answered_at: dt.datetime | None = None


class SurveyOut(BaseModel):
    """The survey as stored."""

    call_id: str
    csat: int | None
    resolved: bool | None
    answered_at: dt.datetime


@router.put("/{call_id}/survey")
def put_survey(
    call_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")],
    body: SurveyIn,
    db: DbDep,
    user: AgentDep,
    settings: SettingsDep,
) -> SurveyOut:
    """Store (or replace) the survey of ``call_id``; at least one of csat and resolved."""
    from servesell.errors import ServesellError

    if body.csat is None and body.resolved is None:
        raise ServesellError("a survey needs csat (1-5), resolved (true/false), or both")
    at = ClientClock.for_late_reports(settings).accept(body.answered_at, field="answered_at")
    survey = Survey(call_id, body.csat, body.resolved, at)
    with db.begin() as conn:
        save_surveys(conn, [survey], source=f"api:{user.name}")
    return SurveyOut(call_id=call_id, csat=body.csat, resolved=body.resolved, answered_at=at)
