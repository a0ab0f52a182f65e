"""``servesell users revoke`` never leaves the center without an admin."""

from __future__ import annotations

from typer.testing import CliRunner

from servesell.cli import app

runner = CliRunner()


def test_the_last_admin_cannot_be_revoked(db_url: str) -> None:
    assert (
        runner.invoke(app, ["users", "add", "boss", "--role", "admin", "--db", db_url]).exit_code
        == 0
    )
    refused = runner.invoke(app, ["users", "revoke", "boss", "--db", db_url])
    assert refused.exit_code == 2
    assert "boss is the last admin" in refused.output
    assert "Traceback" not in refused.output
    runner.invoke(app, ["users", "add", "boss2", "--role", "admin", "--db", db_url])
    assert runner.invoke(app, ["users", "revoke", "boss", "--db", db_url]).exit_code == 0
    listed = runner.invoke(app, ["users", "list", "--db", db_url]).output
    assert "boss2" in listed
    assert "boss\t" not in listed
