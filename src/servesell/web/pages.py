"""Rendering pages: Jinja2 templates with the user, language, CSRF token and formatters.

Every page is served with a strict Content-Security-Policy (scripts and styles only from
``/static``, never inside a frame: ``frame-ancestors 'none'`` and ``X-Frame-Options:
DENY`` against clickjacking), ``no-store`` caching (pages show customer data) and ``nosniff``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from servesell import __version__
from servesell.decide import describe
from servesell.domain import LANGUAGES
from servesell.store.users import Role
from servesell.web.csrf import csrf_token
from servesell.web.i18n import (
    HTML_LANG,
    LANGUAGE_NAMES,
    Translator,
    choose_language,
    translator,
)
from servesell.web.money import format_money
from servesell.web.session import CSRF_COOKIE, LANG_COOKIE

if TYPE_CHECKING:
    from fastapi import Request

    from servesell.config import Settings

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def language_of(request: Request) -> str:
    """The interface language of this request (cookie, then Accept-Language)."""
    return choose_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


class Pages:
    """The app's templates and the per-request context every page gets."""

    def __init__(self, settings: Settings) -> None:
        self.currency = settings.currency
        self.costs = settings.cost_model()
        self.tz = ZoneInfo(settings.timezone)
        self.env = Environment(
            loader=PackageLoader("servesell.web", "templates"),
            autoescape=select_autoescape(["html", "svg"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(
        self, request: Request, template: str, *, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        """The page ``template`` rendered for this request."""
        html = self.env.get_template(template).render(self.context(request), **context)
        return self.respond(request, html, status_code)

    def message(
        self, request: Request, title: str, body: str, status_code: int, **values: object
    ) -> HTMLResponse:
        """A page saying one thing: ``title`` and ``body`` are message keys."""
        t = translator(language_of(request))
        return self.render(
            request,
            "message.html",
            status_code=status_code,
            title=t(title),
            body=t(body, **values),
        )

    def respond(self, request: Request, html: str, status_code: int = 200) -> HTMLResponse:
        """An HTML response with the security headers and any new CSRF cookie."""
        response = HTMLResponse(html, status_code=status_code)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"  # frame-ancestors for older browsers
        fresh = getattr(request.state, "new_csrf", None)
        if fresh:
            response.set_cookie(
                CSRF_COOKIE, fresh, httponly=True, samesite="strict", secure=_secure(request)
            )
        return response

    def context(self, request: Request) -> dict[str, Any]:
        """What every template can use: user, language, texts, token, formatters."""
        lang = language_of(request)
        t = translator(lang)
        return {
            "request": request,
            "path": request.url.path,
            "user": getattr(request.state, "user", None),
            "lang": lang,
            "html_lang": HTML_LANG[lang],
            "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            "t": t,
            "csrf": csrf_token(request),
            "version": __version__,
            "currency": self.currency,
            "money": lambda amount: format_money(amount, self.currency),
            "pct": percent,
            "secs": lambda seconds: seconds_text(seconds, t),
            "when": self.local_time,
            "reason": lambda code: reason_text(code, t),
            "channel": lambda name: t(f"channel.{name}"),
            "shown": lambda value, field="": profile_value(value, t, field),
            "code": lambda kind, value: code_text(kind, value, t),
            "changes": changes,
            "roles": Role,
        }

    def local_time(self, at: dt.datetime) -> str:
        """``at`` in the center's time zone, ``YYYY-MM-DD HH:MM``."""
        return at.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

    def today_start(self) -> dt.datetime:
        """Midnight today in the center's time zone."""
        now = dt.datetime.now(self.tz)
        return now.replace(hour=0, minute=0, second=0, microsecond=0)


def percent(share: float | None) -> str:
    """A share as a percentage with one decimal (``—`` when unknown).

    >>> percent(0.2346)
    '23.5%'
    """
    return "—" if share is None else f"{share * 100:.1f}%"


def seconds_text(seconds: float | None, t: Translator) -> str:
    """Whole seconds with the unit of the interface language (``—`` when unknown)."""
    return "—" if seconds is None else t("unit.seconds", n=f"{seconds:,.0f}")


def code_text(kind: str, code: str, t: Translator) -> str:
    """The words for a code a center's systems use (``kind.code`` in the messages), else it.

    >>> code_text("callreason", "billing_inquiry", translator("zh"))
    '账单咨询'
    >>> code_text("callreason", "local_code_42", translator("zh"))
    'local_code_42'
    """
    key = f"{kind}.{code}"
    return t(key) if t.has(key) else code


def profile_value(value: object, t: Translator, field: str = "") -> str:
    """A profile value for the screen: grouped digits, ISO dates, yes/no, ``—`` if missing.

    Text values with words in the messages (``value.<field>.<code>``) are shown in words.

    >>> profile_value(8312.5, translator("en")), profile_value(30000.0, translator("en"))
    ('8,312.50', '30,000')
    >>> profile_value("full", translator("zh"), "repayment_mode")
    '全额还款'
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return t("common.yes") if value else t("common.no")
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return code_text(f"value.{field}", value, t) if isinstance(value, str) else str(value)


def changes(before: object, after: object, limit: int = 4) -> str:
    """The fields an audited change altered, as ``field: old → new``.

    >>> changes({"max_waiting": 2, "kind": "threshold"}, {"max_waiting": 5, "kind": "threshold"})
    'max_waiting: 2 → 5'
    """
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ""
    altered = [
        f"{key}: {_short(before.get(key))} → {_short(after.get(key))}"
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]
    more = f" (+{len(altered) - limit})" if len(altered) > limit else ""
    return "; ".join(altered[:limit]) + more


def _short(value: object, width: int = 40) -> str:
    text = "∅" if value is None else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def reason_text(code: str, t: Translator) -> str:
    """A decision reason code as a sentence in the interface language."""
    key = f"reason.{code}"
    return t(key) if t.has(key) else describe(code)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"
