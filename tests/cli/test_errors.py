from __future__ import annotations

from typer.testing import CliRunner

from servesell.cli import app

runner = CliRunner()


def test_user_errors_are_one_line_without_traceback(db_url: str, tmp_path) -> None:
    result = runner.invoke(app, ["schema", "show", "--db", db_url])
    assert result.exit_code == 2
    assert result.output.startswith("error: no customer-profile schema")
    assert "Traceback" not in result.output


def test_bad_database_url_is_a_clear_error() -> None:
    result = runner.invoke(app, ["db", "upgrade", "--db", "not a url"])
    assert result.exit_code == 2
    assert "not a database URL" in result.output


def test_missing_file_is_a_clear_error(db_url: str, tmp_path) -> None:
    result = runner.invoke(app, ["schema", "load", str(tmp_path / "nope.yaml"), "--db", db_url])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_rejected_rows_exit_with_code_one(db_url: str, tmp_path) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_text("age: int\n")
    data = tmp_path / "c.csv"
    data.write_text("id,age\nC1,30\nC2,old\n")
    runner.invoke(app, ["schema", "load", str(schema), "--db", db_url])
    result = runner.invoke(app, ["import", "customers", str(data), "--db", db_url])
    assert result.exit_code == 1
    assert "1 accepted, 1 rejected" in result.output
    assert "line 3, column 'age'" in result.output
