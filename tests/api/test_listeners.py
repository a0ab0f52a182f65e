"""Each worker listens on a socket of its own, and the kernel spreads connections over them.

With one shared socket the busiest worker accepted nearly every connection (88-95 % of the
decisions at 300/s, ``docs/scale.md``); ``servesell serve --workers N`` now gives each
worker its own ``SO_REUSEPORT`` socket (:mod:`servesell.http.listeners`).
"""

from __future__ import annotations

import pickle
import socket
import subprocess
import sys

import pytest

from servesell.http.listeners import REUSE_PORT, OwnListener, check_free, listen
from support.center import fill_small_bank
from support.server import free_port, live_server

pytestmark = pytest.mark.skipif(not REUSE_PORT, reason="SO_REUSEPORT is not on this platform")


def test_the_kernel_spreads_connections_over_the_workers_sockets() -> None:
    port = free_port()
    sockets = [listen("127.0.0.1", port, 64) for _ in range(2)]
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(32)]
    try:
        accepted = []
        for sock in sockets:
            sock.setblocking(False)
            count = 0
            while True:
                try:
                    conn, _ = sock.accept()
                except BlockingIOError:
                    break
                conn.close()
                count += 1
            accepted.append(count)
        assert sum(accepted) == 32
        assert min(accepted) > 0, accepted  # all on one socket: 2 chances in 2**32
    finally:
        for s in (*clients, *sockets):
            s.close()


def test_a_worker_gets_a_listening_socket_of_its_own() -> None:
    port = free_port()
    first = pickle.loads(pickle.dumps(OwnListener("127.0.0.1", port, 16)))
    second = pickle.loads(pickle.dumps(OwnListener("127.0.0.1", port, 16)))
    try:
        assert isinstance(first, socket.socket)
        assert first.fileno() != second.fileno()
        assert first.getsockname() == second.getsockname() == ("127.0.0.1", port)
        with pytest.raises(OSError, match="in use"):
            check_free("127.0.0.1", port)
    finally:
        first.close()
        second.close()
    check_free("127.0.0.1", port)


def test_a_second_server_on_a_served_port_is_refused_at_once(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'api.db'}"
    fill_small_bank(url, customers=10)
    with live_server(url, workers=2) as base:
        port = base.rsplit(":", 1)[1]
        cmd = [sys.executable, "-m", "servesell.cli", "serve", "--db", url, "--port", port]
        second = subprocess.run(
            [*cmd, "--workers", "2"], capture_output=True, text=True, timeout=60, check=False
        )
    assert second.returncode == 3, second.stdout + second.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in second.stdout
    assert "in use" in second.stdout
    assert "Traceback" not in second.stdout + second.stderr
