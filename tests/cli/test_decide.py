"""``servesell decide``, ``kpis`` and ``users``: readable, and clear when there is nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from servesell.cli import app
from servesell.store import open_db
from servesell.store.users import Role, add_user
from support.center import fill_small_bank

runner = CliRunner()


def _customer_with_offer(db_url: str) -> str:
    for i in range(1, 200):
        customer = f"C{i:07d}"
        result = runner.invoke(
            app, ["decide", customer, "--at", "2026-03-02T10:00", "--json", "--db", db_url]
        )
        assert result.exit_code == 0, result.output
        if '"offers": [\n    {' in result.output:
            return customer
    raise AssertionError("no customer got an offer")


def test_decide_reads_in_an_80_column_terminal(db_url: str) -> None:
    fill_small_bank(db_url)
    customer = _customer_with_offer(db_url)
    command = [sys.executable, "-m", "servesell.cli", "decide", customer, "--db", db_url]
    command += ["--at", "2026-03-02T10:00"]
    env = {**os.environ, "COLUMNS": "80", "TERM": "xterm"}
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    lines = [line for line in out.splitlines() if line.strip()]
    assert "shown in the call" in out
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    lone = [line for line in lines if len(line.strip(" │┃|").split()) == 1]
    assert not [w for w in lone if w.strip(" │┃|━─┏┓┗┛┡┩└┘╇╈┼").isalpha()], lone


def test_decide_on_an_empty_catalog_says_how_to_load_one(db_url: str, tmp_path: Path) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_text("fields:\n  age: int\n")
    customers = tmp_path / "c.csv"
    customers.write_text("id,age\nX1,30\n")
    runner.invoke(app, ["schema", "load", str(schema), "--db", db_url])
    runner.invoke(app, ["import", "customers", str(customers), "--db", db_url])
    result = runner.invoke(app, ["decide", "X1", "--db", db_url])
    assert result.exit_code == 2
    assert "catalog is empty" in result.output
    assert "servesell offers load" in result.output


def test_kpis_of_an_empty_window_say_so(db_url: str) -> None:
    result = runner.invoke(app, ["kpis", "--from", "2026-01-01", "--db", db_url])
    assert result.exit_code == 0
    assert "no calls were decided since 2026-01-01" in result.output


def test_kpis_refuse_a_window_that_ends_before_it_starts(db_url: str) -> None:
    args = ["kpis", "--from", "2026-03-02", "--to", "2026-03-01", "--db", db_url]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "must be after --from" in result.output


def test_a_missing_sqlite_file_points_to_db_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'typo.db'}"
    result = runner.invoke(app, ["kpis", "--db", url])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert "servesell db upgrade" in result.output
    assert not (tmp_path / "typo.db").exists()
    assert runner.invoke(app, ["db", "upgrade", "--db", url]).exit_code == 0
    assert runner.invoke(app, ["kpis", "--db", url]).exit_code == 0


def test_user_names_may_contain_a_hyphen(db_url: str) -> None:
    result = runner.invoke(app, ["users", "add", "li-na", "--role", "agent", "--db", db_url])
    assert result.exit_code == 0, result.output
    engine = open_db(db_url)
    with engine.begin() as conn:
        add_user(conn, "wang.wei-2", Role.SUPERVISOR)
    engine.dispose()
    listed = runner.invoke(app, ["users", "list", "--db", db_url]).output
    assert "li-na" in listed
    assert "wang.wei-2" in listed


def test_users_add_password_asks_for_it(db_url: str) -> None:
    result = runner.invoke(
        app,
        ["users", "add", "ana", "--role", "agent", "--password", "--db", db_url],
        input="s3cret-pass\ns3cret-pass\n",
    )
    assert result.exit_code == 0, result.output
    assert "password" in result.output.lower()


def test_kpis_refuse_a_year_outside_what_servesell_computes_with(db_url: str) -> None:
    fill_small_bank(db_url, customers=5)
    for flag, day in (("--from", "0001-01-01"), ("--to", "9999-12-31")):
        result = runner.invoke(app, ["kpis", flag, day, "--db", db_url])
        assert result.exit_code != 0
        assert f"{flag}: {day}" in result.output
        assert "outside 1970-2199" in result.output
        assert "Traceback" not in result.output


def test_policy_set_refuses_unbounded_values_and_keeps_the_policy(
    db_url: str, tmp_path: Path
) -> None:
    fill_small_bank(db_url, customers=5)
    changes = tmp_path / "policy.yaml"
    for text in ("cool_down_days_offer: 1.0e+6\n", "accepted_memory_days: .inf\n"):
        changes.write_text(text)
        result = runner.invoke(app, ["policy", "set", str(changes), "--db", db_url])
        assert result.exit_code != 0
        assert text.split(":")[0] in result.output
    shown = runner.invoke(app, ["policy", "show", "--db", db_url]).output
    assert '"cool_down_days_offer": 30' in shown
