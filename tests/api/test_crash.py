"""A worker killed under load is back within seconds and stays up (issue 14, item 15).

uvicorn's supervisor replaces a dead worker; the replacement must import, build its
decision engine and answer before a CTI gives up on the calls, not be killed by the
health check while it still imports. One real two-worker server on SQLite.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from servesell.cli.serve import HEALTHCHECK_SECONDS
from servesell.store import open_db
from servesell.store.users import Role, add_user
from support.center import fill_small_bank
from support.server import live_server, server_workers

BACK_WITHIN_S = 10.0
"""The acceptance: a killed worker serves again within this many seconds."""
PAUSE_S = HEALTHCHECK_SECONDS / 2.5
"""Longest the sibling is paused before its last request starts, and that request's limit:
together under the supervisor's health check (``HEALTHCHECK_SECONDS``)."""
STARTED = re.compile(rb"Application startup complete")


class Load:
    """A steady stream of decisions (up to ~100/s) from two keep-alive connections.

    Light on purpose: the machine has 2 cores, and the load generator must not starve the
    worker being restarted more than a real CTI would.
    """

    def __init__(self, base: str, token: str) -> None:
        self.base, self.headers = base, {"Authorization": f"Bearer {token}"}
        self.results: list[tuple[float, int]] = []  # (finished at, status; 0 = no answer)
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(2)]

    def _run(self, seed: int) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=10) as client:
            for i in range(5000):  # bounded: the test stops it long before
                if self.stop.wait(0.02):
                    return
                body = {"customer_id": f"C{(i * 2 + seed) % 300 + 1:07d}"}
                try:
                    status = client.post("/v1/decisions", json=body).status_code
                except httpx.HTTPError:
                    status = 0
                self.results.append((time.monotonic(), status))

    def failures_after(self, moment: float) -> list[int]:
        return [s for at, s in self.results if at > moment and s != 201]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    folder = tmp_path_factory.mktemp("crash")
    url = f"sqlite:///{folder / 'db.sqlite'}"
    fill_small_bank(url)
    engine = open_db(url)
    with engine.begin() as conn:
        token = add_user(conn, "cti", Role.AGENT)
    engine.dispose()
    log = folder / "server.log"
    os.environ["SERVESELL_SERVER_LOG"] = str(log)
    try:
        with live_server(url, workers=2, args=["--log-level", "info"]) as base:
            yield base, token, log
    finally:
        del os.environ["SERVESELL_SERVER_LOG"]


def test_a_worker_killed_under_load_serves_again_within_seconds_and_stays_up(
    server: tuple[str, str, Path],
) -> None:
    base, token, log = server
    first, second = server_workers(base)
    _wait(lambda: _started(log) == 2)  # /readyz answered: one worker is up, maybe not both
    load = Load(base, token)
    for thread in load.threads:
        thread.start()
    try:
        time.sleep(1.0)
        killed_at = time.monotonic()
        os.kill(first, signal.SIGKILL)
        back_at = _wait(lambda: _started(log) == 3)
        assert back_at - killed_at <= BACK_WITHIN_S, f"back after {back_at - killed_at:.1f} s"
        (replacement,) = set(server_workers(base)) - {second}
        # The replacement alone answers while its sibling is paused: it really serves. The
        # pause stays inside the supervisor's health check, which would (rightly) kill a
        # sibling silent for longer; on a loaded machine 10 decisions can take that long.
        answered = []
        os.kill(second, signal.SIGSTOP)
        try:
            with httpx.Client(base_url=base, headers=load.headers, timeout=PAUSE_S) as alone:
                paused_until = time.monotonic() + PAUSE_S
                for i in range(10):
                    body = {"customer_id": f"C{i + 1:07d}"}
                    answered.append(alone.post("/v1/decisions", json=body).status_code)
                    if time.monotonic() > paused_until:
                        break
        finally:
            os.kill(second, signal.SIGCONT)
        assert answered, "the replacement answered nothing while its sibling was paused"
        assert set(answered) == {201}, answered
        time.sleep(3.0)  # and stays up under load: no respawn loop
        assert server_workers(base) == sorted((replacement, second))
    finally:
        load.stop.set()
        for thread in load.threads:
            thread.join()
    assert not load.failures_after(back_at)
    assert sum(1 for at, s in load.results if at > back_at and s == 201) > 0


def _started(log: Path) -> int:
    """How many workers have finished starting so far, by the server's log."""
    return len(STARTED.findall(log.read_bytes()))


def _wait(condition: Callable[[], bool], timeout: float = 60.0) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(0.05)
    raise AssertionError(f"not back within {timeout} s")
