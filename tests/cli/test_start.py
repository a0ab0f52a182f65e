"""The CLI and the API workers start without the batch side's libraries (issue 15).

``servesell --help`` must answer in well under a second, and a killed API worker must be
back within its health check: both import only what their first answer needs. Each check
runs in a fresh interpreter, so what other tests imported does not count.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support.center import fill_small_bank

HEAVY = (
    "duckdb",
    "lightgbm",
    "matplotlib",
    "pandas",
    "pyarrow",
    "pyspark",
    "scipy",
    "sklearn",
    "statsmodels",
)
"""Libraries of the batch side: models, tables, charts, statistics, cluster engines."""

DECIDE_NEVER_NEEDS = ("alembic", "jinja2", "numpy", *HEAVY)
"""What one ``servesell decide`` on a migrated database must not load (each costs 0.02-0.2 s)."""

CLI_ONLY_NEEDS = ("typer", "rich")
"""What ``servesell --help`` needs; the store, the models and the settings load per command."""


def _loaded_after_command(args: list[str]) -> set[str]:
    code = (
        "import json, runpy, sys\n"
        f"sys.argv = {['servesell', *args]!r}\n"
        "try:\n"
        "    runpy.run_module('servesell.cli', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


def _loaded_after(module: str) -> set[str]:
    code = f"import sys, json; import {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return {name.split(".")[0] for name in json.loads(done.stdout)}


@pytest.mark.parametrize("module", ["servesell.cli", "servesell.server"])
def test_importing_the_cli_or_the_worker_loads_no_batch_library(module: str) -> None:
    assert not _loaded_after(module) & set(HEAVY)


def test_the_cli_loads_neither_the_database_nor_the_settings_to_list_its_commands() -> None:
    loaded = _loaded_after("servesell.cli")
    assert set(CLI_ONLY_NEEDS) <= loaded
    assert not loaded & {"sqlalchemy", "pydantic", "pydantic_settings", "sqlglot", "numpy"}


def test_a_decision_from_the_command_line_loads_only_what_it_uses(db_url: str) -> None:
    fill_small_bank(db_url)
    args = ["decide", "C0000001", "--at", "2026-03-02T10:00", "--json", "--db", db_url]
    loaded = _loaded_after_command(args)
    assert "sqlglot" in loaded  # the command did decide: the catalog's rules were compiled
    assert not loaded & set(DECIDE_NEVER_NEEDS)


def test_help_lists_every_command_group() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "servesell.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    for command in ("decide", "serve", "demo", "campaign", "model", "kpis", "outbox", "tag"):
        assert command in done.stdout
