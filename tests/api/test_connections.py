"""Idle, slow and oversized clients against a real ``servesell serve`` (issue 14, item 17).

One server for the module, with deadlines shortened by settings so the test is quick:
head 1 s, body 2 s, keep-alive 1 s. Raw sockets play the clients a library would not.
"""

from __future__ import annotations

import socket
import time
from typing import TYPE_CHECKING

import httpx
import pytest

from servesell.http.deadlines import MAX_HEAD_BYTES
from servesell.server import MAX_BODY_BYTES
from support.center import fill_small_bank
from support.server import live_server

if TYPE_CHECKING:
    from collections.abc import Iterator

DEADLINES = {
    "SERVESELL_HEADER_TIMEOUT_SECONDS": "1",
    "SERVESELL_BODY_TIMEOUT_SECONDS": "2",
    "SERVESELL_KEEP_ALIVE_SECONDS": "1",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('conn') / 'api.db'}"
    fill_small_bank(url, customers=10)
    with live_server(url, workers=1, env=DEADLINES) as base:
        host, port = base.removeprefix("http://").split(":")
        yield host, int(port)


def _closed_after(sock: socket.socket, limit: float) -> tuple[float, bytes]:
    """Seconds until the server closed ``sock`` (reading all it sent), within ``limit``."""
    start = time.monotonic()
    sock.settimeout(limit)
    received = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return time.monotonic() - start, received
        received += chunk


def test_a_connection_that_sends_nothing_is_closed_with_408(server) -> None:
    with socket.create_connection(server) as sock:
        waited, answer = _closed_after(sock, 10)
    assert 0.5 < waited < 5
    assert answer.startswith(b"HTTP/1.1 408")


def test_a_request_head_dripped_slowly_is_closed(server) -> None:
    with socket.create_connection(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        waited, answer = _closed_after(sock, 10)
    assert waited < 5
    assert answer.startswith(b"HTTP/1.1 408")


def test_a_body_that_stops_arriving_is_closed(server) -> None:
    with socket.create_connection(server) as sock:
        sock.sendall(
            b"POST /v1/decisions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n{"
        )
        waited, answer = _closed_after(sock, 10)
    assert 1 < waited < 6
    assert b"408" in answer.split(b"\r\n", 1)[0]


def test_an_idle_keep_alive_connection_is_closed(server) -> None:
    with socket.create_connection(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        waited, answer = _closed_after(sock, 10)
    assert answer.startswith(b"HTTP/1.1 200")
    assert waited < 5


def test_an_oversized_head_is_431(server) -> None:
    with socket.create_connection(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * MAX_HEAD_BYTES)
        _, answer = _closed_after(sock, 10)
    assert answer.startswith(b"HTTP/1.1 431")


def test_a_chunked_body_over_the_limit_is_413(server) -> None:
    host, port = server

    def chunks() -> Iterator[bytes]:
        yield b'{"customers": ['
        piece = b'{"id": "x"},' * 10_000
        for _ in range(MAX_BODY_BYTES // len(piece) + 2):
            yield piece

    response = httpx.post(
        f"http://{host}:{port}/v1/customers/import",
        content=chunks(),
        headers={"Authorization": "Bearer nope", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
