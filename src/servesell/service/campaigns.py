"""Campaigns through their life: save (validated), approve (planned), start, pause, end.

Every change is audited with who, when, from what to what. Approving runs the plan
(:func:`servesell.service.campaign_plan.forecast`): a plan that takes the peak service
level below the campaign's target is refused unless the approver gives an override
reason, which is audited with the plan's figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from servesell.domain.campaign import Campaign, CampaignRecord, CampaignState
from servesell.errors import CampaignError, RuleError
from servesell.rules import compile_rule
from servesell.store import list_offers, require_schema
from servesell.store.audit import audit
from servesell.store.campaigns import (
    find_campaign,
    get_campaign,
    list_campaigns,
    save_campaign,
    set_campaign_state,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy import Engine as Database

    from servesell.campaigns.plan import CampaignPlan
    from servesell.service.engines import LiveEngine

ACTIONS = {
    CampaignState.DRAFT: "reopen",
    CampaignState.APPROVED: "approve",
    CampaignState.RUNNING: "start",
    CampaignState.PAUSED: "pause",
    CampaignState.ENDED: "end",
}


def validate_campaign(conn: Connection, data: dict[str, Any]) -> Campaign:
    """``data`` as a campaign whose offers exist and whose audience rule compiles."""
    try:
        campaign = Campaign.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise CampaignError(first["msg"], campaign_id=_id_of(data), field=field) from None
    known = {o.id for o in list_offers(conn)}
    missing = [o for o in campaign.offers if o not in known]
    if missing:
        raise CampaignError(
            f"unknown offer(s) {', '.join(missing)}; load them into the catalog first",
            campaign_id=campaign.id,
            field="offers",
        )
    if campaign.audience is not None:
        try:
            compile_rule(campaign.audience, require_schema(conn))
        except RuleError as exc:
            raise CampaignError(str(exc), campaign_id=campaign.id, field="audience") from None
    _check_offers_free(conn, campaign)
    return campaign


def save(
    db: Database, data: dict[str, Any], *, actor: str, engines: LiveEngine | None = None
) -> tuple[CampaignRecord, bool]:
    """Validate and store a draft campaign; ``(record, created)``. Audited.

    Only a draft can be edited: the hold-out share and the audience of an approved plan
    must not change under it (move it back to draft first; a started one never can).
    """
    with db.begin() as conn:
        campaign = validate_campaign(conn, data)
        before = find_campaign(conn, campaign.id)
        if before is not None and before.state is not CampaignState.DRAFT:
            raise CampaignError(
                f"it is {before.state.value}; only a draft can be edited"
                + (
                    " (move it back to draft first)"
                    if before.state.can_become(CampaignState.DRAFT)
                    else ""
                ),
                campaign_id=campaign.id,
            )
        save_campaign(conn, campaign, state=CampaignState.DRAFT)
        audit(
            conn,
            actor=actor,
            action="create" if before is None else "update",
            entity="campaign",
            entity_id=campaign.id,
            before=before.campaign.model_dump(mode="json") if before else None,
            after=campaign.model_dump(mode="json"),
        )
        record = get_campaign(conn, campaign.id)
    if engines is not None:
        engines.invalidate()
    return record, before is None


def change_state(
    db: Database,
    campaign_id: str,
    to: CampaignState,
    *,
    actor: str,
    plan: CampaignPlan | None = None,
    override: str | None = None,
    at: dt.datetime | None = None,
    engines: LiveEngine | None = None,
) -> CampaignRecord:
    """Move a campaign to ``to``; approval needs ``plan`` (and ``override`` if it breaks SL)."""
    at = at or dt.datetime.now(dt.UTC)
    with db.begin() as conn:
        record = get_campaign(conn, campaign_id)
        if not record.state.can_become(to):
            raise CampaignError(
                f"cannot go from {record.state.value} to {to.value}", campaign_id=campaign_id
            )
        details: dict[str, Any] = {"state": to.value}
        if to is CampaignState.APPROVED:
            details.update(_approval(record, plan, override))
        if to is CampaignState.RUNNING:
            _check_offers_free(conn, record.campaign)
        after = set_campaign_state(conn, campaign_id, to, at=at)
        audit(
            conn,
            actor=actor,
            action=ACTIONS[to],
            entity="campaign",
            entity_id=campaign_id,
            before={"state": record.state.value},
            after=details,
        )
    if engines is not None:
        engines.invalidate()
    return after


def campaigns(conn: Connection, *, running_only: bool = False) -> list[CampaignRecord]:
    """Every campaign (or the running ones)."""
    return list_campaigns(conn, states=(CampaignState.RUNNING,) if running_only else None)


def _approval(
    record: CampaignRecord, plan: CampaignPlan | None, override: str | None
) -> dict[str, Any]:
    if plan is None:
        raise CampaignError("approval needs the campaign's plan", campaign_id=record.id)
    summary = plan_summary(plan)
    if plan.breaks_target:
        target = plan.inputs.target
        if not override or not override.strip():
            raise CampaignError(
                f"the plan takes the peak service level to {plan.service_level_with:.1%}, "
                f"below the target {target.level:.0%} in {target.seconds:g} s "
                f"(without it: {plan.service_level_without:.1%}); approve with an override "
                "reason to accept that",
                campaign_id=record.id,
            )
        summary["override"] = override.strip()[:500]
    return {"plan": summary}


def plan_summary(plan: CampaignPlan) -> dict[str, Any]:
    """The plan's headline figures as stored in the audit log."""
    keys = (
        "offers", "sales", "revenue", "talk_seconds", "added_seconds_per_call",
        "service_level_without", "service_level_with", "abandon_without", "abandon_with",
        "agents_needed_without", "agents_needed_with", "cost", "profit", "budget_ok",
    )  # fmt: skip
    values = asdict(plan)
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in values.items() if k in keys}


def _check_offers_free(conn: Connection, campaign: Campaign) -> None:
    """Refuse an offer that another campaign (not ended) already holds."""
    for other in list_campaigns(conn):
        if other.id == campaign.id or other.state is CampaignState.ENDED:
            continue
        shared = sorted(set(other.campaign.offers) & set(campaign.offers))
        if shared:
            raise CampaignError(
                f"offer(s) {', '.join(shared)} already belong to campaign {other.id!r} "
                f"({other.state.value}); an offer is in one campaign at a time",
                campaign_id=campaign.id,
                field="offers",
            )


def _id_of(data: dict[str, Any]) -> str | None:
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and len(value) <= 64 else None
