"""Campaigns: the validated spec, the state and when the campaign ran.

A state change that starts or stops a campaign's hand on its offers bumps the catalog
version, so every worker rebuilds its engine with the campaign's hold-out and audience.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from servesell.domain.campaign import Campaign, CampaignRecord, CampaignState
from servesell.errors import NotFoundError
from servesell.store.meta import bump_catalog_version
from servesell.store.tables import campaigns
from servesell.store.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection, Row


def save_campaign(conn: Connection, campaign: Campaign, *, state: CampaignState) -> None:
    """Insert or replace the spec of ``campaign`` (its run times are kept)."""
    known = find_campaign(conn, campaign.id)
    upsert(
        conn,
        campaigns,
        [
            {
                "id": campaign.id,
                "spec": campaign.model_dump(mode="json"),
                "state": state.value,
                "started_at": known.started_at if known else None,
                "ended_at": known.ended_at if known else None,
                "updated_at": dt.datetime.now(dt.UTC),
            }
        ],
    )
    bump_catalog_version(conn)


def set_campaign_state(
    conn: Connection, campaign_id: str, state: CampaignState, *, at: dt.datetime
) -> CampaignRecord:
    """Move a campaign to ``state`` at ``at``; the first start and the end are stamped."""
    record = get_campaign(conn, campaign_id)
    values: dict[str, object] = {"state": state.value, "updated_at": at}
    if state is CampaignState.RUNNING and record.started_at is None:
        values["started_at"] = at
    if state is CampaignState.ENDED:
        values["ended_at"] = at
    conn.execute(update(campaigns).where(campaigns.c.id == campaign_id).values(**values))
    bump_catalog_version(conn)
    return get_campaign(conn, campaign_id)


def get_campaign(conn: Connection, campaign_id: str) -> CampaignRecord:
    """The campaign ``campaign_id``; :class:`NotFoundError` when there is none."""
    record = find_campaign(conn, campaign_id)
    if record is None:
        raise NotFoundError("campaign", campaign_id)
    return record


def find_campaign(conn: Connection, campaign_id: str) -> CampaignRecord | None:
    """The campaign ``campaign_id``, or ``None``."""
    row = conn.execute(select(campaigns).where(campaigns.c.id == campaign_id)).first()
    return None if row is None else _record(row)


def list_campaigns(
    conn: Connection, *, states: tuple[CampaignState, ...] | None = None
) -> list[CampaignRecord]:
    """Every campaign (or those in ``states``), ordered by id."""
    query = select(campaigns).order_by(campaigns.c.id)
    if states is not None:
        query = query.where(campaigns.c.state.in_([s.value for s in states]))
    return [_record(row) for row in conn.execute(query)]


def _record(row: Row[tuple[object, ...]]) -> CampaignRecord:
    m = row._mapping
    return CampaignRecord(
        campaign=Campaign.model_validate(m["spec"]),
        state=CampaignState(m["state"]),
        started_at=m["started_at"],
        ended_at=m["ended_at"],
        updated_at=m["updated_at"],
    )
