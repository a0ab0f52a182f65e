"""Channel adapters: one small base class, one provider per module."""

from servesell.channels.adapters.aliyun import AliyunSms
from servesell.channels.adapters.base import Adapter
from servesell.channels.adapters.smtp import Smtp
from servesell.channels.adapters.webhook import Webhook
from servesell.channels.adapters.wechat import WeChatTemplate

__all__ = ["Adapter", "AliyunSms", "Smtp", "WeChatTemplate", "Webhook"]
