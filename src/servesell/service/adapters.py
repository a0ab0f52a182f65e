"""The channel adapters the settings configure (``SERVESELL_SMTP_*``, ``SMS_*``, ``WECHAT_*``).

A channel without settings has no adapter: its messages wait (and finally expire) with
the reason "no adapter configured", rather than being dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from servesell.channels.adapters.aliyun import AliyunSms
from servesell.channels.adapters.smtp import Smtp
from servesell.channels.adapters.webhook import Webhook
from servesell.channels.adapters.wechat import WeChatTemplate
from servesell.domain import Channel
from servesell.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import SecretStr

    from servesell.channels.adapters.base import Adapter
    from servesell.config import Settings


def adapters_from_settings(settings: Settings) -> dict[Channel, Adapter]:
    """One adapter per configured channel."""
    made = {
        Channel.EMAIL: _email(settings),
        Channel.SMS: _sms(settings),
        Channel.WECHAT: _wechat(settings),
    }
    return {channel: adapter for channel, adapter in made.items() if adapter is not None}


def _email(settings: Settings) -> Adapter | None:
    if not settings.smtp_host:
        return None
    return Smtp(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=_need(settings.smtp_sender, "SERVESELL_SMTP_SENDER"),
        starttls=settings.smtp_starttls,
        username=settings.smtp_username,
        password=_secret(settings.smtp_password),
        timeout=settings.channel_timeout_seconds,
    )


def _sms(settings: Settings) -> Adapter | None:
    if settings.sms_provider == "aliyun":
        return AliyunSms(
            endpoint=settings.sms_endpoint,
            access_key_id=_need(settings.sms_access_key_id, "SERVESELL_SMS_ACCESS_KEY_ID"),
            access_key_secret=_need(
                _secret(settings.sms_access_key_secret), "SERVESELL_SMS_ACCESS_KEY_SECRET"
            ),
            sign_name=_need(settings.sms_sign_name, "SERVESELL_SMS_SIGN_NAME"),
            timeout=settings.channel_timeout_seconds,
        )
    if settings.sms_provider == "webhook":
        return Webhook(
            channel=Channel.SMS,
            url=_need(settings.webhook_url, "SERVESELL_WEBHOOK_URL"),
            secret=_need(_secret(settings.webhook_secret), "SERVESELL_WEBHOOK_SECRET"),
            timeout=settings.channel_timeout_seconds,
        )
    return None


def _wechat(settings: Settings) -> Adapter | None:
    if not settings.wechat_app_id:
        return None
    return WeChatTemplate(
        api_base=settings.wechat_api_base,
        app_id=settings.wechat_app_id,
        app_secret=_need(_secret(settings.wechat_app_secret), "SERVESELL_WECHAT_APP_SECRET"),
        timeout=settings.channel_timeout_seconds,
    )


def _secret(value: SecretStr | None) -> str:
    return "" if value is None else value.get_secret_value()


def _need(value: str, name: str) -> str:
    if not value:
        raise ConfigError(f"{name} must be set for this channel")
    return value
