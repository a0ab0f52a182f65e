"""Bad campaign, plan, survey, incentive and import input: a clear error naming what and where."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from servesell.domain.campaign import Campaign
from servesell.errors import CampaignError, InputFileError, NotFoundError
from servesell.ingest.events import import_events
from servesell.report.competitions import Competition
from servesell.report.costs import CostModel
from servesell.report.incentives import IncentivePlan
from servesell.service import campaigns as lifecycle
from servesell.service.campaign_eval import evaluate_campaign
from servesell.service.campaign_plan import forecast
from servesell.store import open_db
from servesell.store.campaigns import get_campaign
from servesell.store.surveys import Survey
from support.center import fill_small_bank

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"id": "Bad Id"}, "lower-case"),
        ({"offers": []}, "at least 1"),
        ({"offers": ["a", "a"]}, "listed twice"),
        ({"channels": []}, "at least one channel"),
        ({"channels": ["fax"]}, "inbound"),
        ({"starts_on": "2026-03-02", "ends_on": "2026-03-01"}, "before starts_on"),
        ({"control_share": 0.6}, "less than or equal to 0.5"),
        ({"budget": -5}, "greater than 0"),
        ({"targets": {"service_level": 1.2}}, "less than 1"),
        ({"colour": "red"}, "Extra inputs"),
    ],
)
def test_a_bad_campaign_says_what_is_wrong(spec: dict, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        Campaign.model_validate({"id": "c", "name": "c", "offers": ["o"], **spec})


def test_plan_without_calls_asks_for_the_load(db_url: str) -> None:
    fill_small_bank(db_url)
    db = open_db(db_url)
    lifecycle.save(db, {"id": "c", "name": "c", "offers": ["bill_instalment"]}, actor="t")
    with db.connect() as conn, pytest.raises(CampaignError, match="give --calls-per-hour"):
        forecast(conn, get_campaign(conn, "c"), CostModel(), tz=TZ)
    with db.connect() as conn, pytest.raises(CampaignError, match="not started yet"):
        evaluate_campaign(conn, "c", CostModel(), tz=TZ)
    with db.connect() as conn, pytest.raises(NotFoundError, match="unknown campaign 'nope'"):
        evaluate_campaign(conn, "nope", CostModel(), tz=TZ)
    db.dispose()


def test_bad_surveys_costs_plans_and_competitions_are_refused() -> None:
    at = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="1-5"):
        Survey("K1", 7, None, at)
    with pytest.raises(ValueError, match="needs a csat"):
        Survey("K1", None, None, at)
    with pytest.raises(ValueError, match="agents_per_supervisor"):
        CostModel(agents_per_supervisor=0)
    with pytest.raises(ValidationError, match="clawback_days"):
        IncentivePlan(clawback_days=-1)
    with pytest.raises(ValidationError, match="metric must be one of"):
        Competition(id="c", name="c", starts_on=at.date(), ends_on=at.date(), metric="smiles")


def test_an_import_with_missing_columns_or_an_unknown_kind_is_refused(
    db_url: str, tmp_path: Path
) -> None:
    db = open_db(db_url)
    file = tmp_path / "s.csv"
    file.write_text("call,score\nK1,5\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="missing column"):
        import_events(db, file, "surveys", tz=TZ)
    with pytest.raises(InputFileError, match="unknown kind"):
        import_events(db, file, "moods", tz=TZ)
    db.dispose()


def test_import_rows_are_rejected_one_by_one_with_line_and_column(
    db_url: str, tmp_path: Path
) -> None:
    db = open_db(db_url)
    file = tmp_path / "t.csv"
    file.write_text(
        "agent_id,day,paid_hours,logged_in_hours\n"
        "A1,2026-03-02,8,7\n"
        "A1,2026-13-02,8,7\n"
        "A2,2026-03-02,30,7\n"
        "bad id!,2026-03-02,8,7\n",
        encoding="utf-8",
    )
    report = import_events(db, file, "agent-time", tz=TZ)
    db.dispose()
    assert report.accepted == 1
    assert [(r.where, r.column) for r in report.rejects] == [
        ("line 3", "day"),
        ("line 4", "paid_hours"),
        ("line 5", "agent_id"),
    ]


def test_a_sale_event_for_no_sale_is_rejected(db_url: str, tmp_path: Path) -> None:
    db = open_db(db_url)
    file = tmp_path / "e.csv"
    file.write_text("decision_id,offer_id,kind,at\nd1,card,cancelled,2026-03-02 10:00\n"
                    "d1,card,refunded,2026-03-02 10:00\n", encoding="utf-8")  # fmt: skip
    report = import_events(db, file, "sale-events", tz=TZ)
    db.dispose()
    assert report.accepted == 0
    assert "no sale of offer 'card'" in report.rejects[0].reason
    assert report.rejects[1].column == "kind"
