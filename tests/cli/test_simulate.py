from __future__ import annotations

import json
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from servesell.cli import app

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()
SMALL = ["simulate", "--scenario", "brand400", "--scale", "0.2", "--seed", "3"]


def test_simulate_json_reports_the_supervisor_figures() -> None:
    result = runner.invoke(app, [*SMALL, "--load", "peak", "--policy", "threshold:2", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    for key in ("service_level", "asa_seconds", "abandon_share", "occupancy", "diverted"):
        assert key in summary
    assert (summary["policy"], summary["calls"] > 0) == ("threshold:2", True)
    assert summary["revenue"] + summary["digital_revenue"] > 0


def test_unknown_policy_load_or_scenario_is_a_clean_error() -> None:
    wrong = (["--policy", "sometimes"], ["--load", "huge"], ["--scale", "2"])
    for extra in (*wrong, ["--channel-choice", "psychic"]):
        result = runner.invoke(app, [*SMALL, *extra])
        assert result.exit_code == 2, extra
        assert "Traceback" not in result.output
    result = runner.invoke(app, ["simulate", "--scenario", "mars"])
    assert result.exit_code == 2
    assert "no such scenario" in result.output


def test_sweep_writes_the_frontier_csv_and_png(tmp_path: Path) -> None:
    result = runner.invoke(app, [*SMALL, "--sweep", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "frontier_brand400_design.csv").read_text().splitlines()
    assert lines[0].startswith("policy,hold_seconds,calls,service_level,revenue")
    assert len(lines) == 1 + 19
    assert (tmp_path / "frontier_brand400_design.png").read_bytes()[:4] == b"\x89PNG"


def test_the_twin_can_sell_with_the_learning_model_and_learned_channels() -> None:
    args = [*SMALL, "--learn", "--channel-choice", "learned", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["offers"] > 0
    assert summary["messages"] > 0
    revenue = summary["revenue"] + summary["digital_revenue"]
    assert summary["net_value"] == revenue - summary["contact_cost"]


def test_the_cli_default_policy_is_the_live_default_gate() -> None:
    from servesell.cli.simulate import LIVE_POLICY
    from servesell.queueing import GateSettings

    assert GateSettings().kind == LIVE_POLICY
