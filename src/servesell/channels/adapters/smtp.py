"""E-mail over SMTP (stdlib ``smtplib``): STARTTLS and login from settings, connections reused.

Each worker thread keeps its own open connection and sends message after message on it
(``RSET`` between them is implicit in a new ``MAIL FROM``). What a failure means depends
on how far the exchange got: before the message text was sent (connect, ``MAIL``,
``RCPT``, ``DATA`` refused) nothing went out, so a 4xx or a dropped connection is
retried and a 5xx refused for good; once the text was sent, a lost or late reply is
ambiguous (the server may have queued the mail) and is never blindly resent. Our message
id is the ``Message-ID``, so a receiving system can recognise a repeat.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
import threading
from email.message import EmailMessage
from email.utils import formatdate
from typing import ClassVar

from servesell.channels.adapters.base import Adapter
from servesell.channels.message import OutboundMessage, Result, SendResult
from servesell.domain.offer import Channel

_LEADING_DOT = re.compile(rb"(?m)^\.")


class _Connection(smtplib.SMTP):
    """``smtplib.SMTP`` that remembers whether the message text has been sent."""

    text_sent = False

    def data(self, msg: bytes | str) -> tuple[int, bytes]:  # type: ignore[override]
        """``DATA``: as smtplib's, but notes the moment the text went out."""
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        payload = msg if isinstance(msg, bytes) else msg.replace("\n", "\r\n").encode()
        payload = _LEADING_DOT.sub(b"..", payload)
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        self.text_sent = True
        self.send(payload + b".\r\n")
        code, reply = self.getreply()
        return code, reply


class Smtp(Adapter):
    """E-mail through one SMTP server (a relay or the provider's submission port)."""

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
    ) -> None:
        super().__init__(secrets=(password,))
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.timeout, self.domain = starttls, timeout, domain
        self._username, self._password = username, password
        self._local = threading.local()
        self._open: list[_Connection] = []
        self._lock = threading.Lock()

    def _send(self, message: OutboundMessage) -> SendResult:
        mail = self._mail(message)
        try:
            conn = self._connection()
        except (OSError, smtplib.SMTPException) as exc:
            return SendResult(Result.TRANSIENT, reason=f"cannot connect or log in: {_why(exc)}")
        conn.text_sent = False
        try:
            refused = conn.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            return _refused(next(iter(exc.recipients.values()))[0], "recipient refused", exc)
        except smtplib.SMTPResponseException as exc:
            if conn.text_sent and exc.smtp_code < 400:
                return SendResult(Result.AMBIGUOUS, reason=f"odd reply after the text: {_why(exc)}")
            return _refused(exc.smtp_code, "refused", exc)
        except (OSError, smtplib.SMTPException) as exc:
            self._drop(conn)
            kind = Result.AMBIGUOUS if conn.text_sent else Result.TRANSIENT
            return SendResult(kind, reason=f"connection lost: {_why(exc)}")
        if refused:
            return SendResult(Result.PERMANENT, reason=f"recipient refused: {refused}")
        return SendResult(Result.SENT, provider_id=mail["Message-ID"])

    def close(self) -> None:
        """Say QUIT on every open connection."""
        with self._lock:
            conns, self._open = self._open, []
        for conn in conns:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()
        self._local = threading.local()

    def _mail(self, message: OutboundMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = f"<{message.id}@{self.domain}>"
        if message.link:
            mail["List-Unsubscribe"] = f"<{message.link}>"
        mail.set_content(message.body)
        return mail

    def _connection(self) -> _Connection:
        conn: _Connection | None = getattr(self._local, "conn", None)
        if conn is not None and conn.sock is not None:
            return conn
        conn = _Connection(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                conn.starttls(context=ssl.create_default_context())
            if self._username:
                conn.login(self._username, self._password)
        except (OSError, smtplib.SMTPException):
            conn.close()
            raise
        self._local.conn = conn
        with self._lock:
            self._open.append(conn)
        return conn

    def _drop(self, conn: _Connection) -> None:
        conn.close()
        self._local.conn = None
        with self._lock:
            if conn in self._open:
                self._open.remove(conn)


def _refused(code: int, what: str, exc: Exception) -> SendResult:
    kind = Result.TRANSIENT if 400 <= code < 500 else Result.PERMANENT
    return SendResult(kind, reason=f"{what}: {_why(exc)}")


def _why(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}"
