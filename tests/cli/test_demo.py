from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from servesell.cli import app
from servesell.store import open_db
from servesell.store.tables import outbox_messages

runner = CliRunner()


@pytest.mark.slow
def test_demo_plays_a_small_center_end_to_end(db_url: str) -> None:
    result = runner.invoke(app, ["demo", "--customers", "2000", "--seed", "11", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "calls answered" in result.output
    assert "conversion rate" in result.output
    assert "done in" in result.output
    stages = _follow_up_counts(result.output)
    assert stages["queued"] >= stages["sent"] >= stages["delivered"] >= stages["link opened"]
    assert stages["link opened"] >= stages["accepted on the offer page"] > 0
    assert stages["sent"] == stages["delivered"] + stages["undelivered"]
    routed_accepted = re.search(r"routed / accepted\D+([\d,]+) / ([\d,]+)", result.output)
    assert routed_accepted is not None
    assert int(routed_accepted.group(2)) == stages["accepted on the offer page"]
    with open_db(db_url).connect() as conn:  # the sink really took them: each was sent once
        sent = conn.execute(select(func.count()).where(outbox_messages.c.sent_at.is_not(None)))
        assert sent.scalar_one() == stages["sent"]

    decided = runner.invoke(app, ["decide", "C0000001", "--json", "--db", db_url])
    assert decided.exit_code == 0, decided.output
    data = json.loads(decided.output)
    assert data["customer_id"] == "C0000001"
    assert data["mode"] in ("serve", "sell")


def test_demo_is_reproducible(tmp_path) -> None:
    outputs = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.db"
        result = runner.invoke(app, ["demo", "--customers", "300", "--seed", "5", "--db", url])
        assert result.exit_code == 0, result.output
        outputs.append(result.output.split("done in")[0])
    assert outputs[0] == outputs[1]
    assert "completed within N days" in outputs[0]  # the T+N funnel of the referral offers


def test_demo_refuses_a_database_it_did_not_create(db_url: str, tmp_path) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_text("fields:\n  age: int\n")
    customers = tmp_path / "c.csv"
    customers.write_text("id,age\nX1,30\n")
    assert runner.invoke(app, ["schema", "load", str(schema), "--db", db_url]).exit_code == 0
    assert (
        runner.invoke(app, ["import", "customers", str(customers), "--db", db_url]).exit_code == 0
    )
    result = runner.invoke(app, ["demo", "--customers", "100", "--db", db_url])
    assert result.exit_code == 2
    assert "did not create" in result.output


@pytest.mark.slow
def test_kpis_command_matches_the_demo_table(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    demo = runner.invoke(app, ["demo", "--customers", "500", "--seed", "2", "--db", url])
    assert demo.exit_code == 0, demo.output
    result = runner.invoke(app, ["kpis", "--json", "--group-by", "agent", "--db", url])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    total = runner.invoke(app, ["kpis", "--json", "--db", url])
    everything = json.loads(total.output)["rows"]["all"]
    assert sum(r["accepted"] for r in rows.values()) == everything["accepted"]
    assert f"{everything['calls']:,}" in demo.output


def _follow_up_counts(output: str) -> dict[str, int]:
    """The demo's follow-up table as ``{stage: count}`` (the stage without its note)."""
    rows = re.findall(r"│ ([^│(]+?)\s*(?:\([^│]*\))?\s*│\s*([\d,]+) │", output)
    return {name.strip(): int(n.replace(",", "")) for name, n in rows}
