"""One SMTP client connection on asyncio: opened once, then many mail transactions on it.

:meth:`Session.open` reads the greeting, says ``EHLO``, switches to TLS with ``STARTTLS``
when asked (never falling back to plain text) and logs in (``AUTH PLAIN`` or ``LOGIN``).
:meth:`Session.transaction` sends one message: when the server offers ``PIPELINING``
(RFC 2920) ``MAIL``, ``RCPT`` and ``DATA`` go out in one write and their three replies
are read together, then the text; otherwise one command at a time. What a failure means
depends on how far it got, so a lost connection says whether the text had been sent
(:class:`SessionLost`). The stdlib's ``smtplib`` blocks a thread per connection and the
asyncio clients on PyPI do not pipeline; this is the part of SMTP the adapter needs.
"""

from __future__ import annotations

import asyncio
import base64
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl


@dataclass(frozen=True, slots=True)
class Reply:
    """A server reply: its code and its text (continuation lines joined by newlines)."""

    code: int
    text: str

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class SessionRefused(Exception):
    """The server refused to open the session (greeting, STARTTLS, login)."""

    def __init__(self, what: str, reply: Reply | None = None) -> None:
        super().__init__(f"{what}: {reply}" if reply else what)
        self.reply = reply


class SessionLost(Exception):
    """The connection failed mid-transaction; ``text_sent`` says if the message text went out."""

    def __init__(self, text_sent: bool, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.text_sent = text_sent
        self.cause = cause


_FAILURES = (OSError, TimeoutError, EOFError, ValueError, asyncio.IncompleteReadError)


class Session:
    """An open, greeted, (TLS,) logged-in SMTP connection."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float
    ) -> None:
        self._reader, self._writer, self.timeout = reader, writer, timeout
        self.extensions: dict[str, str] = {}
        self.broken = False
        self.last_used = time.monotonic()

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        *,
        timeout: float,
        tls: ssl.SSLContext | None = None,
        username: str = "",
        password: str = "",
    ) -> Session:
        """Connect, greet, ``STARTTLS`` if ``tls``, log in if ``username``."""
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
        session = cls(reader, writer, timeout)
        try:
            await session._start(host, tls, username, password)
        except BaseException:
            session.abort()
            raise
        return session

    @property
    def usable(self) -> bool:
        """Whether the next transaction may use this connection."""
        return not (self.broken or self._reader.at_eof() or self._writer.is_closing())

    async def transaction(self, sender: str, recipient: str, text: bytes) -> tuple[str, Reply]:
        """Send one message; ``(stage, reply)`` where the stage is where it stopped.

        Stages: ``sender``, ``recipient`` or ``data`` (refused before the text went out)
        or ``text`` (the server's answer to the text). ``text`` must be dot-stuffed and end
        with ``CRLF.CRLF``. Raises :class:`SessionLost` when the connection fails.
        """
        text_sent = False
        try:
            stage, reply = await self._envelope(sender, recipient)
            if stage == "data" and reply.code == 354:
                text_sent = True
                self._writer.write(text)
                await self._writer.drain()
                stage, reply = "text", await self._reply()
        except _FAILURES as exc:
            self.broken = True
            raise SessionLost(text_sent, exc) from exc
        self.last_used = time.monotonic()
        return stage, reply

    async def quit(self) -> None:
        """Say ``QUIT`` and close; errors are ignored (the session is over either way)."""
        try:
            self._writer.write(b"QUIT\r\n")
            await self._reply()
        except _FAILURES:
            pass
        self.abort()

    def abort(self) -> None:
        """Close the connection without a word."""
        self.broken = True
        self._writer.close()

    async def _start(
        self, host: str, tls: ssl.SSLContext | None, username: str, password: str
    ) -> None:
        _expect(await self._reply(), 220, "greeting")
        await self._ehlo()
        if tls is not None:
            if "starttls" not in self.extensions:
                raise SessionRefused("the server does not offer STARTTLS")
            _expect(await self._command(b"STARTTLS"), 220, "STARTTLS")
            async with asyncio.timeout(self.timeout):
                await self._writer.start_tls(tls, server_hostname=host)
            await self._ehlo()
        if username:
            await self._login(username, password)

    async def _ehlo(self) -> None:
        sockname = self._writer.get_extra_info("sockname")
        literal = f"[IPv6:{sockname[0]}]" if ":" in sockname[0] else f"[{sockname[0]}]"
        reply = await self._command(f"EHLO {literal}".encode())
        _expect(reply, 250, "EHLO")
        lines = reply.text.split("\n")[1:]
        self.extensions = {
            word.lower(): rest for word, _, rest in (line.partition(" ") for line in lines)
        }

    async def _login(self, username: str, password: str) -> None:
        methods = self.extensions.get("auth", "").upper().split()
        if "PLAIN" in methods:
            token = base64.b64encode(f"\0{username}\0{password}".encode()).decode()
            reply = await self._command(f"AUTH PLAIN {token}".encode())
        elif "LOGIN" in methods:
            _expect(await self._command(b"AUTH LOGIN"), 334, "login")
            _expect(await self._command(base64.b64encode(username.encode())), 334, "login")
            reply = await self._command(base64.b64encode(password.encode()))
        else:
            raise SessionRefused(
                "the server offers no login method this client knows (PLAIN, LOGIN)"
            )
        _expect(reply, 235, "login")

    async def _envelope(self, sender: str, recipient: str) -> tuple[str, Reply]:
        commands: tuple[tuple[str, bytes, tuple[int, ...]], ...] = (
            ("sender", f"MAIL FROM:<{sender}>".encode(), (250,)),
            ("recipient", f"RCPT TO:<{recipient}>".encode(), (250, 251)),
            ("data", b"DATA", (354,)),
        )
        if "pipelining" in self.extensions:
            self._writer.write(b"".join(command + b"\r\n" for _, command, _ in commands))
            async with asyncio.timeout(self.timeout):  # one timer for the three replies
                replies = [await self._read_reply() for _ in commands]
        else:
            replies = []
            for _, command, ok in commands:
                replies.append(await self._command(command))
                if replies[-1].code not in ok:
                    break
        for (stage, _, ok), reply in zip(commands, replies, strict=False):
            if reply.code not in ok:
                await self._abandon(replies[-1])
                return stage, reply
        return "data", replies[-1]

    async def _abandon(self, last: Reply) -> None:
        """After a refusal: reset the transaction, or drop a connection left in DATA."""
        if last.code == 354:  # the server wants text for a refused transaction: leave
            self.abort()
            return
        try:
            self.broken = (await self._command(b"RSET")).code != 250
        except _FAILURES:
            self.broken = True

    async def _command(self, line: bytes) -> Reply:
        self._writer.write(line + b"\r\n")
        return await self._reply()

    async def _reply(self) -> Reply:
        async with asyncio.timeout(self.timeout):
            return await self._read_reply()

    async def _read_reply(self) -> Reply:
        lines: list[bytes] = []
        while True:
            line = await self._reader.readline()
            if not line.endswith(b"\n"):
                raise EOFError("connection closed by the server")
            lines.append(line[4:].strip())
            if line[3:4] != b"-":
                return Reply(int(line[:3]), b"\n".join(lines).decode(errors="replace"))


def _expect(reply: Reply, code: int, what: str) -> None:
    if reply.code != code:
        raise SessionRefused(what, reply)
