"""Interface text in English and Simplified Chinese, chosen per request.

The language is the one the user picked (a cookie), else the best match of the
browser's ``Accept-Language``, else English. Every text lives in ``messages.yaml`` as
``key: {en: ..., zh: ...}``; a test checks that each key used by a template exists in
both languages.

>>> choose_language(None, "zh-CN,zh;q=0.9,en;q=0.8")
'zh'
>>> choose_language("en", "zh-CN")
'en'
>>> choose_language(None, "fr-FR, en;q=0.5, zh;q=0.4")
'en'
>>> translator("zh")("nav.logout")
'退出'
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Final

import yaml

from servesell.domain import LANGUAGES

LANGUAGE_NAMES: Final = {"en": "English", "zh": "简体中文"}
HTML_LANG: Final = {"en": "en", "zh": "zh-CN"}


def choose_language(chosen: str | None, accept_language: str | None) -> str:
    """The interface language: ``chosen`` when supported, else Accept-Language, else ``en``."""
    if chosen in LANGUAGES:
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        if base not in LANGUAGES:
            continue
        ranked.append((-_quality(params), index, base))
    return min(ranked)[2] if ranked else LANGUAGES[0]


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


class Translator:
    """Looks up interface text in one language; ``t(key, **values)`` fills ``{name}``."""

    def __init__(self, lang: str, catalog: dict[str, dict[str, str]]) -> None:
        self.lang = lang
        self._catalog = catalog

    def __call__(self, key: str, **values: object) -> str:
        """The text of ``key``, formatted with ``values``; a missing key raises KeyError."""
        text = self._catalog[key][self.lang]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        """Whether ``key`` has a text."""
        return key in self._catalog


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    """Every interface text by key and language, read once from the package."""
    source = resources.files("servesell.web").joinpath("messages.yaml").read_text("utf-8")
    loaded: dict[str, dict[str, str]] = yaml.safe_load(source)
    return loaded


@lru_cache(maxsize=len(LANGUAGES))
def translator(lang: str) -> Translator:
    """The translator for ``lang`` (one of :data:`LANGUAGES`)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return Translator(lang, messages())
