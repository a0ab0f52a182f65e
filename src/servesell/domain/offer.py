"""An offer in the catalog: who qualifies, what it is worth, how to say it, where to say it."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Final

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from servesell.domain.center import LANGUAGES
from servesell.domain.values import MAX_MONEY

MAX_LEVER = 1000.0
"""The largest lever (a business weight on an offer's priority): finite, so one offer cannot
outrank every other by an unbounded factor."""
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def _text_or_texts(value: object) -> object:
    """Refuse anything but a string or a mapping of strings, in one clear sentence."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return value
    raise PydanticCustomError(
        "local_text", "Input should be a valid string (or one per language: {{en: ..., zh: ...}})"
    )


LocalText = Annotated[str | dict[str, str], BeforeValidator(_text_or_texts)]
"""A text for every language (a plain string) or per language (``{en: ..., zh: ...}``)."""


def text_in(text: LocalText, language: str) -> str:
    """``text`` in ``language``: its own entry, else English, else the first one given.

    >>> text_in({"en": "Bill instalment", "zh": "账单分期"}, "zh")
    '账单分期'
    >>> text_in({"zh": "账单分期"}, "en"), text_in("Card upgrade", "zh")
    ('账单分期', 'Card upgrade')
    """
    if isinstance(text, str):
        return text
    return text.get(language) or text.get(LANGUAGES[0]) or next(iter(text.values()))


def _check_text(text: LocalText, what: str, max_length: int) -> LocalText:
    texts = {"": text} if isinstance(text, str) else text
    if not texts:
        raise ValueError(f"{what} needs a text in at least one language ({', '.join(LANGUAGES)})")
    for language, value in texts.items():
        if language and language not in LANGUAGES:
            raise ValueError(f"{what}: unknown language {language!r}; use {', '.join(LANGUAGES)}")
        where = f"{what} ({language})" if language else what
        if not value.strip():
            raise ValueError(f"{where} must not be empty")
        if len(value) > max_length:
            raise ValueError(f"{where} is longer than {max_length} characters")
    return text


class Channel(StrEnum):
    """Where an offer can be made: in the live call, or as a digital follow-up."""

    IN_CALL = "in_call"
    SMS = "sms"
    WECHAT = "wechat"
    EMAIL = "email"

    @property
    def is_digital(self) -> bool:
        """True for the follow-up channels (everything but the live call)."""
        return self is not Channel.IN_CALL


DIGITAL_TAKE_UP_SHARE: Final[dict[Channel, float]] = {
    Channel.SMS: 0.3,
    Channel.WECHAT: 0.4,
    Channel.EMAIL: 0.15,
}
"""Take-up of a digital follow-up as a share of the in-call rate, until one is learned.

A message is easier to ignore than an agent: an SMS is assumed to convert at 30% of the
in-call rate, WeChat 40%, e-mail 15% (the adaptive model's cold start per channel)."""


class OfferStatus(StrEnum):
    """Lifecycle of an offer; only ``active`` offers are ever candidates."""

    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    RETIRED = "retired"


class Offer(BaseModel):
    """One product offer, as an analyst writes it in the catalog YAML.

    ``value`` is the gross margin of one sale in the configured currency (money is finite
    and at most :data:`~servesell.domain.values.MAX_MONEY`);
    ``piece_rate`` the commission an agent earns per sale; ``extra_handle_seconds`` the
    talk time the offer adds to a call on average; ``prior_propensity`` the take-up rate
    assumed until a model has learned better. ``rule`` is the eligibility rule, a SQL
    boolean expression over the declared profile fields. ``name`` and ``script`` are
    one text or one per language (``{en: ..., zh: ...}``): the agent reads the script in
    the caller's language and sees the name in the language of their screen.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    id: str
    name: LocalText
    product: str
    rule: str = Field(min_length=1)
    value: float = Field(ge=0, le=MAX_MONEY)
    script: LocalText
    piece_rate: float = Field(default=0.0, ge=0, le=MAX_MONEY)
    extra_handle_seconds: float = Field(gt=0, le=3600)
    channels: tuple[Channel, ...] = (Channel.IN_CALL,)
    prior_propensity: float = Field(default=0.05, gt=0, lt=1)
    lever: float = Field(default=1.0, ge=0, le=MAX_LEVER)
    vip_allowed: bool = False
    status: OfferStatus = OfferStatus.ACTIVE
    campaign: str | None = None
    control_share: float = Field(default=0.0, ge=0, lt=1)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    description: str = ""
    attribution_days: float = Field(default=7.0, gt=0, le=90)
    """Days after the decision in which a digital yes is credited to it (channels)."""
    handover_team: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    """A referral offer: on a yes the agent books a hand-over to this specialist team (T+N)."""
    completion_days: float = Field(default=14.0, gt=0, le=365)
    """The N of T+N: days after booking in which a referral must complete to count."""

    @field_validator("id", "product")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(
                f"{value!r} must be 1-64 lower-case letters, digits, '_', '.' or '-', "
                "starting with a letter or digit"
            )
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, name: LocalText) -> LocalText:
        return _check_text(name, "name", 200)

    @field_validator("script")
    @classmethod
    def _script(cls, script: LocalText) -> LocalText:
        return _check_text(script, "script", 4000)

    @field_validator("channels")
    @classmethod
    def _channels(cls, channels: tuple[Channel, ...]) -> tuple[Channel, ...]:
        if not channels:
            raise ValueError("an offer needs at least one channel")
        if len(set(channels)) != len(channels):
            raise ValueError("a channel is listed twice")
        return channels

    @model_validator(mode="after")
    def _dates(self) -> Offer:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError(f"ends_on {self.ends_on} is before starts_on {self.starts_on}")
        return self

    def name_in(self, language: str) -> str:
        """The offer's name in ``language`` (see :func:`text_in`)."""
        return text_in(self.name, language)

    def script_in(self, language: str) -> str:
        """The offer's script in ``language`` (see :func:`text_in`)."""
        return text_in(self.script, language)

    @property
    def is_referral(self) -> bool:
        """Whether a yes is an intent a specialist team completes (a hand-over)."""
        return self.handover_team is not None

    @property
    def control_key(self) -> str:
        """What its control group is drawn by: the campaign, else the offer itself."""
        return self.campaign or self.id

    def is_active_on(self, day: dt.date) -> bool:
        """Whether the offer may be made on ``day`` (status and date window)."""
        if self.status is not OfferStatus.ACTIVE:
            return False
        if self.starts_on and day < self.starts_on:
            return False
        return not (self.ends_on and day > self.ends_on)
