"""KPIs over a time window, per agent, team, offer, hour or day (definitions in report/kpis)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from servesell.api.schemas import AUTHED, KpisOut
from servesell.errors import ServesellError
from servesell.http import ConnDep, SettingsDep, SupervisorDep
from servesell.service.clock import check_period_bound
from servesell.service.kpis import kpis_by

router = APIRouter(prefix="/v1/kpis", tags=["kpis"], responses=AUTHED)


@router.get("")
def read_kpis(
    conn: ConnDep,
    settings: SettingsDep,
    user: SupervisorDep,
    since: Annotated[dt.datetime | None, Query(alias="from")] = None,
    until: Annotated[dt.datetime | None, Query(alias="to")] = None,
    group_by: Literal["agent", "team", "offer", "hour", "day"] | None = None,
) -> KpisOut:
    """KPIs of decisions made in [from, to); naive times are the center's local time."""
    tz = ZoneInfo(settings.timezone)
    since = check_period_bound(_aware(since, tz), field="from")
    until = check_period_bound(_aware(until, tz), field="to")
    if since and until and until <= since:
        raise ServesellError(
            f"'to' ({until.isoformat()}) must be after 'from' ({since.isoformat()})"
        )
    groups = kpis_by(
        conn, tz=tz, since=since, until=until, group_by=group_by, costs=settings.cost_model()
    )
    return KpisOut(
        since=since,
        until=until,
        group_by=group_by,
        currency=settings.currency,
        rows=list(groups.values()),
    )


def _aware(value: dt.datetime | None, tz: ZoneInfo) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=tz)
