"""E-mail over SMTP: STARTTLS and login from settings, kept connections, pipelined commands.

Up to ``connections`` sessions (:mod:`~servesell.channels.adapters.smtp_session`) stay
open on the channel loop and carry message after message. What a failure means depends
on how far the exchange got: before the message text was sent (connect, login, ``MAIL``,
``RCPT``, ``DATA`` refused) nothing went out, so a 4xx or a dropped connection is retried
and a 5xx refused for good; once the text was sent, a lost or late reply is ambiguous
(the server may have queued the mail) and is never blindly resent. A kept connection
that turns out dead before the text went out is replaced and the message tried once more
at once. Our message id is the ``Message-ID``, so a receiving system can recognise a
repeat.

The message is written here rather than with ``email.message.EmailMessage``, which cost
about 1 ms a message in ``bench/outbox.py``: fixed headers whose values go through the
stdlib's encoders (RFC 2047 words, address formatting) and a base64 UTF-8 body, so the
text is 7-bit clean. ``tests/channels/test_smtp.py`` reads it back with the stdlib parser.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import re
import ssl
import time
from email.header import Header
from email.utils import formataddr, formatdate
from typing import ClassVar

from servesell.channels.adapters.base import Adapter
from servesell.channels.adapters.smtp_session import (
    Reply,
    Session,
    SessionLost,
    SessionRefused,
)
from servesell.channels.message import OutboundMessage, Result, SendResult
from servesell.domain.offer import Channel

IDLE_SECONDS = 30.0
"""A connection unused for longer is closed rather than trusted with the next message."""
_ADDRESS = re.compile(r"[!-;=?-~]+@[!-;=?-~]+")
_NAMED = re.compile(r"\s*(.*?)\s*<([^<>]*)>\s*", re.DOTALL)
_LINE_BREAKS = re.compile(r"[\r\n\t]+")
_LEADING_DOT = re.compile(rb"(?m)^\.")
_MIME = (
    "MIME-Version: 1.0",
    'Content-Type: text/plain; charset="utf-8"',
    "Content-Transfer-Encoding: base64",
)
_OPEN_FAILURES = (OSError, TimeoutError, EOFError, ValueError, SessionRefused)


class Smtp(Adapter):
    """E-mail through one SMTP server (a relay or the provider's submission port).

    Up to ``connections`` sessions are open at once. ``tls_context`` is what STARTTLS
    verifies the server with (default: the system's CAs and the host name).
    """

    channel = Channel.EMAIL
    name: ClassVar[str] = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int = 587,
        sender: str,
        starttls: bool = True,
        username: str = "",
        password: str = "",
        timeout: float = 10.0,
        domain: str = "servesell",
        connections: int = 16,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(secrets=(password,))
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.timeout, self.domain = starttls, timeout, domain
        self.connections = connections
        self._username, self._password = username, password
        self._tls = (tls_context or ssl.create_default_context()) if starttls else None
        name, self._sender_address = _split(sender)
        self._from = _address_header(name, self._sender_address)
        self._idle: list[Session] = []
        self._slots: asyncio.Semaphore | None = None
        self._date = (0, "")

    async def _send(self, message: OutboundMessage) -> SendResult:
        address, to = message.to, message.to  # a bare address, the usual case, as it is
        if not _ADDRESS.fullmatch(address):
            name, address = _split(message.to)
            if not _ADDRESS.fullmatch(address):
                reason = f"not an address SMTP can take: {message.to!r}"
                return SendResult(Result.PERMANENT, reason=reason)
            to = _address_header(name, address)
        text = self.text(message, to)
        if self._slots is None:  # made on the loop that uses it
            self._slots = asyncio.Semaphore(self.connections)
        async with self._slots:
            return await self._deliver(address, text, f"<{message.id}@{self.domain}>")

    async def aclose(self) -> None:
        """Say QUIT on every kept connection."""
        idle, self._idle = self._idle, []
        await asyncio.gather(*(session.quit() for session in idle))

    def text(self, message: OutboundMessage, to: str) -> bytes:
        """The message as sent after ``DATA``: headers, base64 body, dot-stuffed, ``CRLF.CRLF``."""
        headers = [
            f"From: {self._from}",
            f"To: {to}",
            f"Subject: {_encoded(message.subject)}",
            f"Date: {self._date_now()}",
            f"Message-ID: <{message.id}@{self.domain}>",
        ]
        if message.link:
            headers.append(f"List-Unsubscribe: <{_LINE_BREAKS.sub('', message.link)}>")
        head = "\r\n".join([*headers, *_MIME]).encode()
        body = base64.encodebytes(message.body.encode()).replace(b"\n", b"\r\n")
        return _LEADING_DOT.sub(b"..", head + b"\r\n\r\n" + body) + b".\r\n"

    def _date_now(self) -> str:
        """The ``Date`` header, formatted once a second."""
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, formatdate(second))
        return self._date[1]

    async def _deliver(self, address: str, text: bytes, message_id: str) -> SendResult:
        for _ in range(2):
            try:
                session, kept = await self._session()
            except _OPEN_FAILURES as exc:
                return SendResult(Result.TRANSIENT, reason=f"cannot connect or log in: {_why(exc)}")
            try:
                stage, reply = await session.transaction(self._sender_address, address, text)
            except SessionLost as lost:
                if kept and not lost.text_sent:
                    continue  # a kept connection had died: nothing went out, try a fresh one
                kind = Result.AMBIGUOUS if lost.text_sent else Result.TRANSIENT
                return SendResult(kind, reason=f"connection lost: {_why(lost.cause)}")
            finally:
                self._release(session)
            return _result(stage, reply, message_id)
        return SendResult(Result.TRANSIENT, reason="connection lost twice before the text was sent")

    async def _session(self) -> tuple[Session, bool]:
        """A kept connection that still looks alive, or a new one; ``(session, kept)``."""
        while self._idle:
            session = self._idle.pop()
            if session.usable and time.monotonic() - session.last_used < IDLE_SECONDS:
                return session, True
            session.abort()
        session = await Session.open(
            self.host,
            self.port,
            timeout=self.timeout,
            tls=self._tls,
            username=self._username,
            password=self._password,
        )
        return session, False

    def _release(self, session: Session) -> None:
        if session.usable:
            self._idle.append(session)
        else:
            session.abort()


def _result(stage: str, reply: Reply, message_id: str) -> SendResult:
    if stage == "text" and reply.code == 250:
        return SendResult(Result.SENT, provider_id=message_id)
    if stage == "text" and reply.code < 400:
        return SendResult(Result.AMBIGUOUS, reason=f"odd reply after the text: {reply}")
    what = "recipient refused" if stage == "recipient" else "refused"
    kind = Result.TRANSIENT if 400 <= reply.code < 500 else Result.PERMANENT
    return SendResult(kind, reason=f"{what}: {reply}")


@functools.lru_cache(maxsize=256)
def _encoded(text: str) -> str:
    """A header value on one logical line, RFC 2047-encoded when it is not ASCII.

    Cached: subjects come from a few templates.
    """
    flat = _LINE_BREAKS.sub(" ", text)
    return Header(flat, "us-ascii" if flat.isascii() else "utf-8").encode(linesep="\r\n")


def _split(text: str) -> tuple[str, str]:
    """``(display name, address)`` of ``Name <address>``, or ``("", text)``.

    >>> _split('"张三" <zs@example.cn>'), _split("zs at example.cn")
    (('张三', 'zs@example.cn'), ('', 'zs at example.cn'))
    """
    named = _NAMED.fullmatch(text)
    return (named[1].strip('"'), named[2]) if named else ("", text.strip())


def _address_header(name: str, address: str) -> str:
    return formataddr((_LINE_BREAKS.sub(" ", name), address), charset="utf-8")


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, SessionRefused):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
