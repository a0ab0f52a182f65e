"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, for adapter tests.

Recipients steer it: ``reject@...`` is refused with 550, ``later@...`` with 451, and
``slow@...`` is accepted but answered only after ``hang_seconds`` (the client times out
after sending the text: an ambiguous send). Messages are counted by ``Message-ID``;
a second copy of one is a duplicate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from support.server import free_port

USER = "mailer"
PASSWORD = "smtp-password-DO-NOT-LEAK-2b9d"


@dataclass
class Mailbox:
    """What the sink received."""

    messages: dict[str, Any] = field(default_factory=dict)
    duplicates: int = 0
    hang_seconds: float = 3.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        local = address.split("@", maxsplit=1)[0]
        if local == "reject":
            return "550 5.1.1 no such user"
        if local == "later":
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        mail = message_from_bytes(envelope.content)
        key = str(mail["Message-ID"])
        with self.box.lock:
            if key in self.box.messages:
                self.box.duplicates += 1
            else:
                self.box.messages[key] = mail
        if envelope.rcpt_tos and envelope.rcpt_tos[0].startswith("slow@"):
            await asyncio.sleep(self.box.hang_seconds)
        return "250 Message accepted"


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login.decode() == USER
        and data.password.decode() == PASSWORD
    )
    return AuthResult(success=ok, handled=False)


@contextmanager
def running_sink(*, auth: bool = False) -> Iterator[tuple[int, Mailbox]]:
    """Serve SMTP on a free port of 127.0.0.1; yield ``(port, mailbox)``."""
    box = Mailbox()
    port = free_port()
    kwargs: dict[str, Any] = {}
    if auth:
        kwargs = {"authenticator": _authenticator, "auth_require_tls": False}
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield port, box
    finally:
        controller.stop()
        time.sleep(0)
