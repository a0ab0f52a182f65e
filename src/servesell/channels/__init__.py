"""Digital follow-ups: message statuses, retry backoff, send-time checks, templates, adapters.

The pure parts of the outbox (no database, no environment): what a message's status may
become (:mod:`~servesell.channels.status`), when to retry (:class:`RetryPolicy`), whether a
message may go now in the customer's time zone (:func:`gate`), how many SMS segments a
text costs (:func:`sms_length`), sandboxed templates checked with line numbers
(``channels.template_check``, imported where templates are loaded: Jinja is not
needed on the decision path), opt-out keywords (:func:`is_opt_out`), and the adapters that
talk to providers (``channels.adapters``). The outbox tables are in ``store``, the worker
and the decision-path hooks in ``service``.
"""

from servesell.channels.adapters.aliyun import AliyunSms
from servesell.channels.adapters.base import Adapter
from servesell.channels.adapters.smtp import Smtp
from servesell.channels.adapters.webhook import Webhook
from servesell.channels.adapters.wechat import WeChatTemplate
from servesell.channels.backoff import RetryPolicy
from servesell.channels.message import Lookup, OutboundMessage, Result, SendResult
from servesell.channels.optout import is_opt_out
from servesell.channels.segments import SmsLength, sms_length
from servesell.channels.status import Status, after_receipt
from servesell.channels.templates import Rendered, TemplateFile, TemplateSet, TemplateSpec
from servesell.channels.timing import Action, Hold, Recipient, Verdict, gate

__all__ = [
    "Action",
    "Adapter",
    "AliyunSms",
    "Hold",
    "Lookup",
    "OutboundMessage",
    "Recipient",
    "Rendered",
    "Result",
    "RetryPolicy",
    "SendResult",
    "SmsLength",
    "Smtp",
    "Status",
    "TemplateFile",
    "TemplateSet",
    "TemplateSpec",
    "Verdict",
    "WeChatTemplate",
    "Webhook",
    "after_receipt",
    "gate",
    "is_opt_out",
    "sms_length",
]
