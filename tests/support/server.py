"""Run ``servesell serve`` as a real multi-worker server on 127.0.0.1 for tests and benchmarks."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

from servesell.channels.sinks import free_port

__all__ = ["free_port", "live_server"]


@contextmanager
def live_server(
    db_url: str,
    *,
    workers: int = 2,
    env: dict[str, str] | None = None,
    port: int | None = None,
    args: Sequence[str] = (),
) -> Iterator[str]:
    """Start the server, wait until /readyz answers, yield its base URL, stop it.

    ``env`` adds environment variables (``SERVESELL_*`` settings) for this server only;
    ``port`` serves on a chosen port (known before the start, e.g. for the public URL) and
    ``args`` adds options of ``servesell serve`` (``--outbox``).
    """
    port = port or free_port()
    cmd = [
        sys.executable, "-m", "servesell.cli", "serve", "--db", db_url,
        "--port", str(port), "--workers", str(workers), *args,
    ]  # fmt: skip
    # Tests and benchmarks replay fixed past days: times that far back are allowed on purpose.
    replay = {"SERVESELL_BACKDATE_SECONDS": str(50 * 365 * 86_400)}
    env = {**os.environ, "PYTHONWARNINGS": "ignore", **replay, **(env or {})}
    # The server's log goes to a file, not a pipe: an unread pipe that fills up would stall
    # the server mid-run. SERVESELL_SERVER_LOG keeps it at a chosen path for a look after.
    log_path = os.environ.get("SERVESELL_SERVER_LOG")
    log = open(log_path, "w+b") if log_path else tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


READY_SECONDS = 120
"""Workers import the whole stack; on a busy shared machine that took over 30 s."""


def _wait_ready(base: str, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            err = log.read().decode(errors="replace")
            raise RuntimeError(f"server exited with {process.returncode}: {err[-2000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not become ready within {READY_SECONDS} s")


def server_workers(base: str) -> list[int]:
    """Process ids of the uvicorn workers serving ``base`` (Linux ``/proc``), by pid.

    The supervisor is the ``servesell serve`` process listening on ``base``'s port; its
    workers are its children started by multiprocessing (not its resource tracker). A
    one-worker server has no supervisor: the ``serve`` process is the worker.
    """
    port = base.rsplit(":", 1)[1]
    processes = {int(p.name): p for p in Path("/proc").iterdir() if p.name.isdigit()}
    supervisor = next(
        pid for pid, p in processes.items() if {"serve", "--port", port} <= set(_cmdline(p))
    )
    workers = sorted(
        pid
        for pid, p in processes.items()
        if _parent(p) == supervisor and any("spawn_main" in a for a in _cmdline(p))
    )
    return workers or [supervisor]


def _cmdline(proc: Path) -> list[str]:
    try:
        return (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None
