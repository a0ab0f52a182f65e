"""A listening socket per worker process (``SO_REUSEPORT``), so the kernel spreads connections.

uvicorn's supervisor binds one socket and every worker accepts from it. A new connection
wakes all of them and the worker whose event loop is already running (the busiest) takes
it, often with a whole burst: at 300 decisions/s one of two workers carried 88-95 % of the
decisions (``bench/api.py``'s ``worker_cpu_share``, ``docs/scale.md``), and one worker's
interpreter lock, not the machine's two cores, then capped the rate.

With :class:`OwnListener` in uvicorn's socket list, each worker opens its own socket on the
same address with ``SO_REUSEPORT`` as it starts (the listener is rebuilt, not copied, when
the supervisor hands it to the spawned worker), and Linux spreads new connections evenly
across the listening sockets by a hash of each connection's addresses. What changes for an
operator (``docs/design.md``):

* before the workers start, :func:`check_free` binds the address plainly, so a second
  server on a port already served fails at once instead of silently sharing its traffic;
* connections a dying worker had not yet accepted are reset with its socket (the client
  retries, as it must for any dropped connection); new ones go to the live workers.
"""

from __future__ import annotations

import socket
from typing import Any

REUSE_PORT = hasattr(socket, "SO_REUSEPORT")
"""Whether this platform can give each worker its own socket (Linux, the BSDs, macOS)."""


def check_free(host: str, port: int) -> None:
    """Raise ``OSError`` (address in use) when ``host:port`` cannot be bound right now."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def listen(host: str, port: int, backlog: int) -> socket.socket:
    """A socket listening on ``host:port`` that other workers' sockets may share."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


class OwnListener:
    """A worker's listening socket, opened in the worker itself (see the module docstring).

    uvicorn passes its socket list to each worker it spawns by pickling it; this object
    unpickles as a new socket of that worker's own, made by :func:`listen`.
    """

    def __init__(self, host: str, port: int, backlog: int) -> None:
        self.host, self.port, self.backlog = host, port, backlog

    def __reduce__(self) -> tuple[Any, tuple[str, int, int]]:
        """Unpickled (in the spawned worker) as ``listen(host, port, backlog)``."""
        return listen, (self.host, self.port, self.backlog)


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
