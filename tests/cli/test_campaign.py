"""``servesell campaign``: add, plan, approve (with an override), start, report; errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from servesell.cli import app
from support.center import fill_small_bank

runner = CliRunner()
SPEC = """\
id: spring
name: Spring instalments
offers: [bill_instalment]
audience: age >= 18
control_share: 0.2
starts_on: 2026-03-01
ends_on: 2026-03-14
"""
BUSY = [
    "--calls-per-hour",
    "120",
    "--calls-per-day",
    "1200",
    "--aht-seconds",
    "180",
    "--agents",
    "7",
]


def test_a_campaign_is_planned_approved_with_an_override_and_started(
    db_url: str, tmp_path: Path
) -> None:
    fill_small_bank(db_url)
    spec = tmp_path / "spring.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    added = runner.invoke(app, ["campaign", "add", str(spec), "--db", db_url])
    assert added.exit_code == 0, added.output
    planned = runner.invoke(app, ["campaign", "plan", "spring", "--json", "--db", db_url, *BUSY])
    assert planned.exit_code == 0, planned.output
    body = json.loads(planned.output)
    assert body["breaks_target"] is True
    assert body["plan"]["per_offer"][0]["eligible"] > 0
    refused = runner.invoke(app, ["campaign", "approve", "spring", "--db", db_url, *BUSY])
    assert refused.exit_code == 2
    assert "approve with an override" in refused.output
    approved = runner.invoke(
        app, ["campaign", "approve", "spring", "--override", "agreed", "--db", db_url, *BUSY]
    )
    assert approved.exit_code == 0, approved.output
    assert "BREAKS the target" in approved.output
    started = runner.invoke(app, ["campaign", "start", "spring", "--db", db_url])
    assert "now running" in started.output
    listed = runner.invoke(app, ["campaign", "list", "--db", db_url])
    assert "running" in listed.output


def test_a_report_of_a_campaign_that_never_ran_is_a_clear_error(
    db_url: str, tmp_path: Path
) -> None:
    fill_small_bank(db_url)
    spec = tmp_path / "spring.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    runner.invoke(app, ["campaign", "add", str(spec), "--db", db_url])
    result = runner.invoke(
        app, ["campaign", "report", "spring", "--out", str(tmp_path), "--db", db_url]
    )
    assert result.exit_code == 2
    assert result.output.startswith("error: campaign 'spring': it has not started yet")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just a list\n", encoding="utf-8")
    result = runner.invoke(app, ["campaign", "add", str(bad), "--db", db_url])
    assert result.exit_code == 2
    assert "one mapping" in result.output
