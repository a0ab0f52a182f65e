"""A throwaway PostgreSQL server for the test session, started from Debian's binaries.

Locally the tests that need it skip with a message when the binaries are missing; with
``CI=true`` a missing server is an error, so CI can never silently skip them.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def find_bin(name: str) -> str | None:
    """Path of a PostgreSQL server binary, from PATH or /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def require_binaries() -> tuple[str, str]:
    """``(initdb, pg_ctl)``, or skip (locally) / fail (CI) when absent."""
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    if initdb and pg_ctl:
        return initdb, pg_ctl
    message = "PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's postgresql"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: these tests must run)")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    """initdb refuses to run as root: run as the ``postgres`` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextmanager
def running_server() -> Iterator[str]:
    """Start a private server on 127.0.0.1; yield a SQLAlchemy URL prefix; stop it after."""
    initdb, pg_ctl = require_binaries()
    folder = Path(tempfile.mkdtemp(prefix="servesell-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    subprocess.run(
        _as_server_user([initdb, "-D", str(data), "-A", "trust", "-U", "servesell", "-E", "UTF8"]),
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
    subprocess.run(
        _as_server_user(
            [pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://servesell@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(server: str) -> str:
    """Create an empty database on ``server`` and return its URL."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    dsn = server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    conn = psycopg.connect(dsn, autocommit=True)
    try:
        conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    return f"{server}/{name}"
