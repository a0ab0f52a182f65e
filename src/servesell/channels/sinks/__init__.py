"""Local stand-ins for the providers, served on 127.0.0.1: nothing leaves the machine.

:func:`running_sink` is a real SMTP server (aiosmtpd) that keeps what it receives;
:func:`running_provider` is an HTTP server that behaves like the SMS provider (Aliyun's
``SendSms`` shape), a generic webhook gateway and WeChat's template-message API, with
receipts pushed to a URL or taken by the caller. ``servesell demo`` sends the day's
follow-ups to them; the tests and ``bench/outbox.py`` drive the adapters against them.
"""

from servesell.channels.sinks.ports import free_port
from servesell.channels.sinks.provider import ProviderState, running_provider, take_receipts
from servesell.channels.sinks.smtp import Mailbox, running_sink

__all__ = [
    "Mailbox",
    "ProviderState",
    "free_port",
    "running_provider",
    "running_sink",
    "take_receipts",
]
