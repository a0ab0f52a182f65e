from __future__ import annotations

import json
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from servesell.cli import app

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()
BASE = ["erlang", "--calls-per-hour", "200", "--aht-seconds", "180", "--agents", "14"]


def test_erlang_json_prints_the_erlang_c_figures() -> None:
    result = runner.invoke(app, [*BASE, "--target-seconds", "20", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert set(figures) == {
        "p_wait",
        "asa_seconds",
        "service_level",
        "occupancy",
        "agents_for_target",
    }
    assert round(figures["p_wait"], 7) == 0.1741319
    assert figures["agents_for_target"] == 14  # 13 agents answer only ~79% within 20 s


def test_erlang_with_patience_adds_the_abandon_share() -> None:
    result = runner.invoke(app, [*BASE, "--patience-seconds", "300", "--json"])
    figures = json.loads(result.stdout)
    assert round(figures["abandon_share"], 6) == 0.013984
    assert round(figures["service_level"], 6) == 0.916792


def test_staffing_goal_is_checked() -> None:
    result = runner.invoke(app, [*BASE, "--target-level", "1.5"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_unstable_erlang_c_is_a_clean_error() -> None:
    result = runner.invoke(
        app, ["erlang", "--calls-per-hour", "200", "--aht-seconds", "180", "--agents", "9"]
    )
    assert result.exit_code == 2
    assert "unstable" in result.output
    assert "Traceback" not in result.output


def test_simulate_json_reports_the_supervisor_figures() -> None:
    result = runner.invoke(
        app,
        ["simulate", "--calls-per-day", "3000", "--policy", "threshold:2", "--seed", "3", "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    for key in (
        "service_level",
        "asa_seconds",
        "abandon_share",
        "occupancy",
        "offers",
        "sales",
        "revenue",
    ):
        assert key in summary
    assert summary["policy"] == "threshold:2"


def test_unknown_policy_is_a_clean_error() -> None:
    result = runner.invoke(app, ["simulate", "--policy", "sometimes"])
    assert result.exit_code == 2
    assert "sometimes" in result.output


def test_sweep_writes_the_frontier_csv_and_png(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["simulate", "--calls-per-day", "2000", "--sweep", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "frontier.csv").read_text().splitlines()
    assert lines[0].startswith("policy,hold_seconds,service_level,revenue")
    assert len(lines) == 28
    assert (tmp_path / "frontier.png").read_bytes()[:4] == b"\x89PNG"
