"""Follow-up message templates per offer × channel × language, rendered in a sandbox.

Templates are Jinja2 text run in :class:`~jinja2.sandbox.SandboxedEnvironment` with
``StrictUndefined``: an analyst's template can read the variables it is given and nothing
else (no attribute games, no file access), and a misspelt variable is an error, never an
empty gap in a customer's SMS. Variables are the declared profile fields plus
:data:`BUILTINS`; ``money`` formats an amount with grouped digits and two decimals.

An SMS is sent as ``【sign name】body opt-out`` ("回T退订" by default for Chinese), and
its segments are counted on that whole text (``channels.segments``). Checking a file
with line numbers is in ``channels.template_check``.

>>> spec = TemplateSpec(offer="bill", channel="sms", language="zh",
...                     body="{{ masked_name }}您好，本期账单{{ balance | money }}元 {{ link }}")
>>> file = TemplateFile(sign_name="示例银行", templates=(spec,))
>>> out = TemplateSet(file).render("bill", Channel.SMS, "zh",
...     {"masked_name": "张**", "balance": 3000, "link": "https://x/o/t"})
>>> out.body
'【示例银行】张**您好，本期账单3,000.00元 https://x/o/t 回T退订'
>>> dict(out.params)
{'masked_name': '张**', 'balance': '3,000.00', 'link': 'https://x/o/t'}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from servesell.domain.offer import Channel

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

BUILTINS = ("link", "masked_name", "offer_name", "sign_name", "valid_until")
"""Variables every template can use besides the declared profile fields."""

_EXPRESSION = re.compile(r"\{\{\s*(.+?)\s*\}\}", re.DOTALL)
_FIRST_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class TemplateSpec(BaseModel):
    """One template: the text of one offer on one channel in one language.

    ``template`` is the provider's registered template code (Aliyun ``TemplateCode``,
    WeChat template id); ``fields`` the WeChat template's data fields (each a template);
    ``purpose`` must be ``bill_notice`` for WeChat, which allows service content only.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    offer: str = Field(min_length=1)
    channel: Channel
    language: str = Field(default="zh", pattern=r"^[a-z]{2}$")
    body: str = ""
    subject: str = ""
    template: str = ""
    fields: dict[str, str] = Field(default_factory=dict)
    purpose: str = ""
    max_segments: int | None = Field(default=None, ge=1, le=10)


class TemplateFile(BaseModel):
    """A whole template file: shared settings and the templates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sign_name: str = Field(default="", max_length=20)
    opt_out: dict[str, str] = Field(
        default_factory=lambda: {"zh": "回T退订", "en": "Reply STOP to opt out"}
    )
    default_language: str = "zh"
    name_field: str = "name"
    language_field: str = "language"
    timezone_field: str = "timezone"
    max_segments: int = Field(default=2, ge=1, le=10)
    link_days: float = Field(default=7.0, gt=0, le=90)
    send_within_hours: float = Field(default=48.0, gt=0, le=24 * 30)
    skip_decline_reasons: tuple[str, ...] = ("has_it_elsewhere",)
    templates: tuple[TemplateSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered message: what is stored in the outbox and handed to the adapter."""

    body: str
    subject: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    template: str = ""
    max_segments: int | None = None


def money(amount: Any) -> str:
    """An amount with grouped digits and two decimals (``3000`` → ``3,000.00``)."""
    if amount is None or amount == "":
        return ""
    return f"{float(amount):,.2f}"


def mask_name(name: object) -> str:
    """A name with all but its first character masked, as Chinese bank SMS do.

    >>> mask_name("张三丰"), mask_name("Li Wei"), mask_name(None)
    ('张**', 'L* ***', '')
    """
    if not isinstance(name, str) or not name.strip():
        return ""
    text = name.strip()
    return text[0] + "".join(" " if ch == " " else "*" for ch in text[1:])


@lru_cache(maxsize=1)
def sandbox() -> SandboxedEnvironment:
    """The Jinja2 environment templates are compiled in (sandboxed, strict, no autoescape)."""
    from jinja2 import StrictUndefined  # Jinja loads on first render, off the decision path
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    env.filters["money"] = money
    return env


class TemplateSet:
    """A validated :class:`TemplateFile`, compiled once, that renders messages."""

    def __init__(self, file: TemplateFile) -> None:
        self.file = file
        self._env = sandbox()
        self._by_key = {(t.offer, t.channel, t.language): t for t in file.templates}

    def find(self, offer_id: str, channel: Channel, language: str) -> TemplateSpec | None:
        """The template for the offer and channel in ``language``, else the default language."""
        key = (offer_id, channel, language)
        fallback = (offer_id, channel, self.file.default_language)
        return self._by_key.get(key) or self._by_key.get(fallback)

    def render(
        self, offer_id: str, channel: Channel, language: str, variables: Mapping[str, Any]
    ) -> Rendered:
        """The message for ``offer_id`` on ``channel``; ``KeyError`` without a template."""
        spec = self.find(offer_id, channel, language)
        if spec is None:
            raise KeyError(f"no {channel.value} template for offer {offer_id!r}")
        values = {k: "" if v is None else v for k, v in variables.items()}
        values["sign_name"] = self.file.sign_name
        body = self._text(spec.body, values)
        params = {name: self._text(text, values) for name, text in spec.fields.items()}
        if channel is Channel.SMS:
            params = self._expressions(spec.body, values)
            body = self.sms_text(body, spec.language)
        limit = (spec.max_segments or self.file.max_segments) if channel is Channel.SMS else None
        subject = self._text(spec.subject, values)
        return Rendered(body, subject, params, spec.template, limit)

    def sms_text(self, body: str, language: str) -> str:
        """``【sign】body opt-out``: the text the customer's phone shows (and is counted)."""
        sign = f"【{self.file.sign_name}】" if self.file.sign_name else ""
        opt_out = self.file.opt_out.get(language, self.file.opt_out.get("zh", ""))
        return f"{sign}{body.strip()} {opt_out}".rstrip()

    def _text(self, source: str, values: Mapping[str, Any]) -> str:
        return "" if not source else _compiled(self._env, source).render(values).strip()

    def _expressions(self, source: str, values: Mapping[str, Any]) -> dict[str, str]:
        """``{variable: rendered expression}`` for each ``{{ }}`` of an SMS body.

        Providers that fill a registered template themselves (Aliyun ``TemplateParam``)
        get these; the registered template names its variables the same (``${balance}``).
        """
        params: dict[str, str] = {}
        for expression in _EXPRESSION.findall(source):
            name = _FIRST_NAME.search(expression)
            if name is not None:
                value = _compiled_expression(self._env, expression)(**values)
                params[name.group(0)] = "" if value is None else str(value)
        return params


@lru_cache(maxsize=4096)
def _compiled(env: SandboxedEnvironment, source: str) -> Any:
    return env.from_string(source)


@lru_cache(maxsize=4096)
def _compiled_expression(env: SandboxedEnvironment, expression: str) -> Any:
    return env.compile_expression(expression, undefined_to_none=False)
