from __future__ import annotations

import json
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from servesell.cli import app

if TYPE_CHECKING:
    pass

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
