"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives (tests, bench, demo).

Recipients steer it: ``reject@...`` is refused with 550, ``later@...`` with 451, and
``slow@...`` is accepted but answered only after ``hang_seconds`` (the client times out
after sending the text: an ambiguous send). Messages are counted by ``Message-ID``;
a second copy of one is a duplicate. It offers ``PIPELINING`` (as Postfix and most
providers do) unless told not to, ``STARTTLS`` when given a TLS context, and records
whether each message came over TLS. Only the headers of a message are parsed (the
benchmark sends 10,000 of them).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from typing import TYPE_CHECKING, Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from servesell.channels.sinks.ports import free_port

if TYPE_CHECKING:
    import ssl

USER = "mailer"
PASSWORD = "smtp-password-DO-NOT-LEAK-2b9d"


_PLAIN_ADDRESS = re.compile(r"\s*<([^<>\s@]+@[^<>\s@]+)>(.*)")


class _Server(SMTP):
    """aiosmtpd's server, reading plain ``<local@domain>`` arguments without the full parser.

    aiosmtpd parses every ``MAIL``/``RCPT`` address with ``email``'s RFC 5322 parser and
    defines a class on each call: half the sink's time in ``bench/outbox.py``. Anything
    but a plain address still goes to that parser.
    """

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        match = _PLAIN_ADDRESS.fullmatch(arg or "")
        if match is None or self.local_part_limit:
            return super()._getaddr(arg)
        return match.group(1), match.group(2)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _Server(self.handler, **self.SMTP_kwargs)


@dataclass
class Mailbox:
    """What the sink received."""

    messages: dict[str, Any] = field(default_factory=dict)
    duplicates: int = 0
    secure: dict[str, bool] = field(default_factory=dict)
    """Message-ID -> whether it came over TLS."""
    logins: list[str] = field(default_factory=list)
    hang_seconds: float = 3.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler:
    def __init__(self, box: Mailbox, *, pipelining: bool) -> None:
        self.box = box
        self.pipelining = pipelining
        self.parser = BytesHeaderParser()

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

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

        mail = self.parser.parsebytes(envelope.content)
        key = str(mail["Message-ID"])
        with self.box.lock:
            if key in self.box.messages:
                self.box.duplicates += 1
            else:
                self.box.messages[key] = mail
                self.box.secure[key] = session.ssl is not None
        if envelope.rcpt_tos and envelope.rcpt_tos[0].startswith("slow@"):
            await asyncio.sleep(self.box.hang_seconds)
        return "250 Message accepted"


def _authenticator(box: Mailbox) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == USER
            and data.password.decode() == PASSWORD
        )
        if ok:
            box.logins.append(f"{mechanism} over {'TLS' if session.ssl else 'plain text'}")
        return AuthResult(success=ok, handled=False)

    return check


@contextmanager
def running_sink(
    *,
    auth: bool = False,
    tls: ssl.SSLContext | None = None,
    require_tls: bool = False,
    pipelining: bool = True,
    port: int | None = None,
) -> Iterator[tuple[int, Mailbox]]:
    """Serve SMTP on a free port of 127.0.0.1; yield ``(port, mailbox)``.

    ``auth`` asks for a login (allowed in plain text unless ``require_tls``); ``tls`` offers
    STARTTLS with that server context, and ``require_tls`` refuses mail without it.
    ``port`` serves on a given port (a server coming back where it was).
    """
    box = Mailbox()
    port = port or free_port()
    kwargs: dict[str, Any] = {"tls_context": tls, "require_starttls": require_tls}
    if auth:
        kwargs |= {"authenticator": _authenticator(box), "auth_require_tls": require_tls}
    handler = _Handler(box, pipelining=pipelining)
    controller = _Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield port, box
    finally:
        controller.stop()
        time.sleep(0)
