"""The one settings object, read from ``SERVESELL_*`` environment variables by the edges only.

The core packages never read the environment: the CLI, the API and the web app build a
:class:`Settings` and pass plain values inward.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from servesell.report.costs import CostModel

DEFAULT_DB_URL = "sqlite:///./servesell.db"
MessageChannel = Literal["sms", "wechat", "email"]
_MESSAGE_PRICES: dict[MessageChannel, float] = {"sms": 0.05, "wechat": 0.01, "email": 0.005}


class Settings(BaseSettings):
    """Deployment settings; every field can be set as ``SERVESELL_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="SERVESELL_", extra="ignore", allow_inf_nan=False)

    db_url: str = Field(default=DEFAULT_DB_URL, description="SQLAlchemy database URL")
    currency: str = Field(default="CNY", description="ISO 4217 code money is shown in")
    timezone: str = Field(default="Asia/Shanghai", description="the center's local time zone")
    language: Literal["en", "zh"] = Field(
        default="zh",
        description="language of offer scripts when neither the call nor the profile gives one",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="key that signs web sessions; default: a random key kept in the database",
    )
    session_hours: float = Field(
        default=10.0, gt=0, le=168, description="hours a web login lasts (one shift)"
    )
    login_failures_per_user: int = Field(
        default=5, ge=1, le=1000, description="failed web logins per user name within the window"
    )
    login_failures_per_address: int = Field(
        default=20, ge=1, le=100_000, description="failed web logins per client address"
    )
    login_window_minutes: float = Field(
        default=15.0, gt=0, le=1440, description="window of the failed-login throttle"
    )
    call_open_minutes: float = Field(
        default=60.0,
        gt=0,
        le=1440,
        description="an agent may read a customer (profile, decisions) for this long after "
        "a decision of theirs on that customer: the call they have open",
    )
    db_pool_size: int = Field(
        default=10,
        ge=1,
        le=500,
        description="database connections each server worker keeps open (PostgreSQL); "
        "nodes x workers x (pool + overflow) must stay under the server's max_connections",
    )
    db_max_overflow: int = Field(
        default=20, ge=0, le=500, description="extra connections a worker may open under bursts"
    )

    # Slow or idle clients must not hold the server's connections (http/deadlines.py).
    header_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300, description="time a request's head may take to arrive"
    )
    body_timeout_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="time a request's body may take after its head"
    )
    keep_alive_seconds: int = Field(
        default=5, gt=0, le=300, description="idle time before a keep-alive connection closes"
    )

    # A client's clock (CTI, ACD, survey tool) is trusted only this far; the server's rules.
    clock_skew_seconds: float = Field(
        default=300.0,
        ge=0,
        le=3600,
        description="how far ahead of the server's clock a client's time may be; it is then "
        "taken as the server's now (never later), and refused beyond",
    )
    backdate_seconds: float = Field(
        default=3600.0,
        ge=0,
        le=100 * 365 * 86_400,
        description="how far behind the server's clock a client's time may be (a screen pop "
        "or report held back by the CTI); refused beyond. A replay of past days (tests, a "
        "backfill) raises it deliberately",
    )

    # Digital follow-ups (channels): links, receipts and the providers. Secrets are
    # SecretStr, so they never show in a repr, a log or an error.
    outbox_worker: bool = Field(
        default=False,
        description="run a delivery worker in every API worker (servesell serve --outbox)",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="base URL of tracked links (/o/{token})"
    )
    receipt_secret: SecretStr | None = Field(
        default=None, description="shared secret / HMAC key of provider receipt callbacks"
    )
    channel_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    smtp_host: str = Field(default="", description="SMTP server for e-mail follow-ups")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_starttls: bool = True
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_sender: str = ""
    sms_provider: str = Field(default="", description="'aliyun', 'webhook' or empty (no SMS)")
    sms_endpoint: str = "https://dysmsapi.aliyuncs.com/"
    sms_access_key_id: str = ""
    sms_access_key_secret: SecretStr | None = None
    sms_sign_name: str = ""
    webhook_url: str = ""
    webhook_secret: SecretStr | None = None
    wechat_app_id: str = ""
    wechat_app_secret: SecretStr | None = None
    wechat_api_base: str = "https://api.weixin.qq.com"

    # Cost model of the money KPIs and campaign reports (report.costs.CostModel); the
    # supervisor ratio is seeds/003's one per ten agents.
    cost_agent_hour: float = Field(default=40.0, ge=0, le=1e6, description="agent cost per hour")
    cost_supervisor_hour: float = Field(default=60.0, ge=0, le=1e6)
    agents_per_supervisor: float = Field(default=10.0, ge=1, le=1000)
    cost_per_message: float = Field(default=0.05, ge=0, le=1e3, description="one SMS/e-mail")

    def cost_model(self) -> CostModel:
        """The cost model these settings describe."""
        from servesell.report.costs import CostModel

        return CostModel(
            agent_hour=self.cost_agent_hour,
            supervisor_hour=self.cost_supervisor_hour,
            agents_per_supervisor=self.agents_per_supervisor,
            message=self.cost_per_message,
        )

    @field_validator("sms_provider")
    @classmethod
    def _sms_provider(cls, name: str) -> str:
        if name not in ("", "aliyun", "webhook"):
            raise ValueError(f"sms_provider must be 'aliyun', 'webhook' or empty, got {name!r}")
        return name

    agent_cost_per_hour: float = Field(
        default=36.0,
        ge=0,
        le=1e6,
        description="an agent's loaded cost per hour (prices talk time)",
    )
    wait_cost_per_minute: float = Field(
        default=1.0,
        ge=0,
        le=1e6,
        description="what a minute of a caller's waiting is worth",
    )
    message_prices: dict[MessageChannel, Annotated[float, Field(ge=0, le=1e3)]] = Field(
        default_factory=lambda: dict(_MESSAGE_PRICES),
        description='price of one message per channel, as JSON: {"sms": 0.05, ...}',
    )

    @field_validator("currency")
    @classmethod
    def _currency(cls, code: str) -> str:
        if len(code) != 3 or not code.isalpha():
            raise ValueError(f"currency must be a 3-letter ISO 4217 code, got {code!r}")
        return code.upper()

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, name: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r}") from None
        return name

    @field_validator("secret_key")
    @classmethod
    def _secret_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and len(key.get_secret_value()) < 32:
            raise ValueError("secret_key must be at least 32 characters (a random string)")
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
