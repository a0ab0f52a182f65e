"""The brand scenario of ``servesell demo`` runs end to end and reports per step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from typer.testing import CliRunner

from servesell.cli import app

if TYPE_CHECKING:
    from pathlib import Path


def test_brand_demo_prints_the_days_list_calls_and_outcomes_per_step(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'brand.db'}"
    args = [
        "demo",
        "--scenario",
        "brand",
        "--customers",
        "300",
        "--days",
        "2",
        "--agents",
        "1",
        "--db",
        url,
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "capacity" in result.output
    assert "formula_follow_up/day" in result.output
    assert "1 outbound agents" in result.output
