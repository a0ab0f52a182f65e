"""From the front line: script variants and hand-overs to specialists.

Variants are proposed, reviewed, compared, promoted and listed as best practice;
hand-overs are booked, closed by specialists (one by one or by CSV) and followed in the
funnel.
The same service functions as the web pages; responses are the domain and report types.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field

from servesell.api.schemas import AUTHED, ImportOut, RowError, errors
from servesell.domain import Language
from servesell.domain.handover import Handover, HandoverResult, HandoverStatus
from servesell.domain.variant import ScriptVariant
from servesell.errors import FrontlineError
from servesell.http import (
    AgentDep,
    ConnDep,
    DbDep,
    DeskDep,
    SettingsDep,
    SpecialistDep,
    SupervisorDep,
)
from servesell.service.handovers import FunnelReport, book, funnel_report, report_result
from servesell.service.variants import (
    BestPractice,
    VariantReport,
    best_practice,
    compare,
    promote_winners,
    propose,
    review,
)
from servesell.store import get_offer
from servesell.store.handovers import get_handover, list_handovers
from servesell.store.variants import list_variants

router = APIRouter(tags=["front line"], responses={**AUTHED, **errors(404, 409)})

OfferId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
AnyId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]


class VariantIn(BaseModel):
    """An agent's wording of an offer: a pitch, or with ``decline_reason`` an objection answer."""

    model_config = ConfigDict(extra="forbid")

    language: Language
    text: str = Field(min_length=1, max_length=4000)
    decline_reason: str | None = Field(default=None, max_length=64)


class ReviewIn(BaseModel):
    """A supervisor's review of a variant."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["activate", "reject", "retire"]


class Promoted(BaseModel):
    """The variants promoted (``offer:language:variant``)."""

    promoted: list[str]


class HandoverIn(BaseModel):
    """Book the hand-over of a yes to a referral offer, with the specialist's time slot."""

    model_config = ConfigDict(extra="forbid")

    offer_id: str = Field(max_length=64)
    slot_at: dt.datetime
    at: dt.datetime | None = None
    """When it was booked (default now): the T+N clock starts here."""


class ResultIn(BaseModel):
    """A specialist's result of a hand-over (``at`` defaults to now)."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["contacted", "completed", "lost"]
    at: dt.datetime | None = None
    note: str = Field(default="", max_length=500)


class ResultOut(BaseModel):
    """Whether the result was new (``false``: already recorded) and the hand-over now."""

    recorded: bool
    handover: Handover


@router.post("/v1/offers/{offer_id}/variants", status_code=status.HTTP_201_CREATED)
def propose_variant(offer_id: OfferId, body: VariantIn, db: DbDep, user: AgentDep) -> ScriptVariant:
    """Propose a variant of the offer's script; it is live once a supervisor activates it."""
    return propose(db, offer_id=offer_id, language=body.language, text=body.text,
                   author=user.name, decline_reason=body.decline_reason)  # fmt: skip


@router.get("/v1/offers/{offer_id}/variants")
def offer_variants(offer_id: OfferId, conn: ConnDep, user: SupervisorDep) -> list[ScriptVariant]:
    """Every variant of the offer, any status, oldest first."""
    get_offer(conn, offer_id)
    return list_variants(conn, offer_id=offer_id)


@router.get("/v1/offers/{offer_id}/variants/compare")
def compare_variants(
    offer_id: OfferId, conn: ConnDep, user: SupervisorDep, language: Language = "zh"
) -> VariantReport:
    """Take-up per live variant (95% Wilson), the unbiased IPS rate (95%) and P(best)."""
    return compare(conn, get_offer(conn, offer_id), language)


@router.post("/v1/variants/{variant_id}/review")
def review_variant(
    variant_id: AnyId, body: ReviewIn, db: DbDep, desk: DeskDep, user: SupervisorDep
) -> ScriptVariant:
    """Activate, reject or retire a variant (audited); live in every worker within 0.5 s."""
    reviewed = review(db, variant_id, body.action, by=user.name)
    desk.variants.invalidate()
    return reviewed


@router.post("/v1/variants/promote")
def promote(db: DbDep, desk: DeskDep, user: SupervisorDep) -> Promoted:
    """Promote every variant that wins with enough evidence (its evidence kept)."""
    promoted = Promoted(promoted=promote_winners(db, by=user.name))
    desk.variants.invalidate()
    return promoted


@router.get("/v1/best-practice")
def practice(conn: ConnDep, user: AgentDep, language: Language | None = None) -> BestPractice:
    """Winning scripts with their authors, and objection answers by decline reason."""
    return best_practice(conn, language)


@router.post("/v1/decisions/{decision_id}/handover", status_code=status.HTTP_201_CREATED)
def book_handover(decision_id: AnyId, body: HandoverIn, db: DbDep, user: AgentDep) -> Handover:
    """Book the hand-over of this decision's yes (again: the one already booked)."""
    if body.slot_at.tzinfo is None or (body.at and body.at.tzinfo is None):
        raise FrontlineError("slot_at and at need a time zone (e.g. 2026-03-02T10:00:00+08:00)")
    return book(db, decision_id=decision_id, offer_id=body.offer_id, slot_at=body.slot_at,
                at=body.at)  # fmt: skip


@router.get("/v1/handovers")
def handovers(
    conn: ConnDep, user: SpecialistDep, team: str | None = None, open_only: bool = True
) -> list[Handover]:
    """Hand-overs (open ones by default; of one team), oldest first."""
    return list_handovers(conn, team=team, open_only=open_only)


@router.post("/v1/handovers/{handover_id}/result")
def handover_result(
    handover_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: ResultIn,
    db: DbDep,
    conn: ConnDep,
    user: SpecialistDep,
) -> ResultOut:
    """Record contacted, completed or lost; the same result twice is recorded once."""
    at = body.at or dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        raise FrontlineError("at needs a time zone (e.g. 2026-03-02T10:00:00+08:00)")
    result = HandoverResult(handover_id, HandoverStatus(body.status), at, user.name, body.note)
    recorded = report_result(db, result)
    return ResultOut(recorded=recorded, handover=get_handover(conn, handover_id))


@router.post("/v1/handovers/results/file")
def import_results(
    file: UploadFile,
    db: DbDep,
    settings: SettingsDep,
    user: SpecialistDep,
    encoding: str | None = None,
) -> ImportOut:
    """Results from a CSV or parquet file (handover_id, status, at, specialist, note).

    Each bad row is reported, the good ones are kept; times without a zone are local.
    """
    from zoneinfo import ZoneInfo

    from servesell.ingest.events import import_events

    name = FilePath(file.filename or "results.csv").name
    with tempfile.TemporaryDirectory() as tmp:
        path = FilePath(tmp) / name
        path.write_bytes(file.file.read())
        report = import_events(db, path, "handover-results", tz=ZoneInfo(settings.timezone),
                               encoding=encoding)  # fmt: skip
    return ImportOut(
        accepted=report.accepted,
        rejected=report.rejected_rows,
        errors=[
            RowError(where=r.where, id=r.id, column=r.column, value=r.value, reason=r.reason)
            for r in report.rejects
        ],
    )


@router.get("/v1/handovers/funnel")
def funnel(
    conn: ConnDep, user: SupervisorDep, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> FunnelReport:
    """The T+N funnel of the last ``days`` with drop-off per step, by agent, offer, specialist."""
    now = dt.datetime.now(dt.UTC)
    return funnel_report(conn, since=now - dt.timedelta(days=days), until=now, now=now)
