"""How a profile value is written in a file, read strictly: no text becomes another value.

A contact center's exports come from spreadsheets, core-banking systems and Chinese input
methods; each reading below is a deliberate choice (``docs/import.md`` lists them):

* **Numbers** use the ASCII digits 0-9, an optional sign, and the *declared* decimal
  mark: ``decimal="."`` (the default; ``,`` may group thousands: ``1,234.5``) or
  ``decimal=","`` (``.`` groups thousands: ``1.234,5``). Groups are exactly three digits,
  so ``3,5`` is not read as 35 in the default locale: it is refused with a hint to
  declare the decimal comma. Full-width digits (what an input method types in full-width
  mode) are read as the same ASCII digits; other scripts' digits, ``1_000`` and
  exponents in whole numbers are refused. Whole numbers fit in 64 bits, the integer type
  of every batch engine.
* **Dates** are ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYYMMDD`` (ISO basic form, common in
  bank exports), or a complete, valid ISO date-time whose date is kept as written. ISO
  week and ordinal dates are refused.
* **Text** is kept as written, except control characters other than tab, line feed and
  carriage return (NUL included) and unpaired surrogates, which are refused.

>>> parse_number("1,234.5", whole=False)
1234.5
>>> parse_number("1.234,5", whole=False, decimal=",")
1234.5
>>> parse_number("３５", whole=True)
35
>>> parse_date("20260301")
datetime.date(2026, 3, 1)
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any, Literal

DecimalMark = Literal[".", ","]
"""The decimal mark a file declares; the other of the two groups thousands."""

MAX_MONEY = 100_000_000.0
"""The largest amount of money servesell accepts anywhere (an offer's value, a piece rate,
a budget): finite and far below where sums of a year's sales lose cents."""

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
"""Whole numbers are 64-bit: what Arrow, DuckDB, PostgreSQL and Spark call BIGINT."""

_FULL_WIDTH = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)}
    | {"\uff0b": "+", "\uff0d": "-", "\uff0e": ".", "\uff0c": ",", "\uff0f": "/"}
)
_PADDING = " \t"
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
"""Control characters other than tab, line feed and carriage return; unpaired surrogates."""
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$", re.ASCII),
)
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d", re.ASCII)


def _number_patterns(decimal: DecimalMark) -> tuple[re.Pattern[str], re.Pattern[str]]:
    group = "," if decimal == "." else r"\."
    point = re.escape(decimal)
    digits = rf"(?:\d+|[1-9]\d{{0,2}}(?:{group}\d{{3}})+)"
    whole = re.compile(rf"^[+-]?{digits}(?:{point}0*)?$", re.ASCII)
    real = re.compile(rf"^[+-]?(?:{digits}(?:{point}\d*)?|{point}\d+)(?:[eE][+-]?\d+)?$", re.ASCII)
    return whole, real


_PATTERNS = {mark: _number_patterns(mark) for mark in (".", ",")}


def parse_number(raw: Any, *, whole: bool, decimal: DecimalMark = ".") -> int | float:
    """``raw`` as a 64-bit whole number or a finite float; ``ValueError`` says why not."""
    kind = "a whole number" if whole else "a number"
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError(f"expected {kind}, got {type(raw).__name__} {show_value(raw)}")
    if isinstance(raw, str):
        return _number_from_text(raw, whole=whole, decimal=decimal)
    if whole:
        if isinstance(raw, float) and not raw.is_integer():
            raise ValueError(f"expected {kind}, got {show_value(raw)}")
        return _in_range(int(raw), raw)
    number = float(raw) if abs(raw) < 1e308 else math.inf
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {show_value(raw)}")
    return number


def _number_from_text(raw: str, *, whole: bool, decimal: DecimalMark) -> int | float:
    text = raw.strip(_PADDING)
    if text.isascii():
        if whole and text.isdigit() and len(text) < 19:  # the common case, at C speed
            return int(text)
    else:
        text = text.translate(_FULL_WIDTH)
    whole_form, real_form = _PATTERNS[decimal]
    if not (whole_form if whole else real_form).match(text):
        raise ValueError(_not_a_number(raw, text, whole=whole, decimal=decimal))
    other = "," if decimal == "." else "."
    canonical = text.replace(other, "").replace(decimal, ".")
    if whole:
        digits = canonical.split(".")[0]
        if len(digits.lstrip("+-0")) > 19:
            raise ValueError(f"{show_value(raw)} is outside the 64-bit range of whole numbers")
        return _in_range(int(digits), raw)
    number = float(canonical)
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {show_value(raw)}")
    return number


def _in_range(number: int, raw: object) -> int:
    if not INT64_MIN <= number <= INT64_MAX:
        raise ValueError(f"{show_value(raw)} is outside the 64-bit range of whole numbers")
    return number


def show_value(raw: object) -> str:
    """``raw`` for a message, a huge number by its size (Python will not print 5,000 digits)."""
    if isinstance(raw, int) and raw.bit_length() > 100:
        return f"a {raw.bit_length()}-bit whole number"
    text = repr(raw)
    return text if len(text) <= 40 else f"{text[:30]}... ({len(text)} characters)"


def _not_a_number(raw: str, text: str, *, whole: bool, decimal: DecimalMark) -> str:
    """The reason ``text`` is not a number in the declared locale, as specific as possible."""
    kind = "a whole number" if whole else "a number"
    foreign = next((ch for ch in text if ch.isdigit() and not ch.isascii()), None)
    if foreign is not None:
        digit = describe_char(foreign)
        return f"{show_value(raw)}: digit {digit} is not 0-9 (ASCII or full-width only)"
    if "_" in text:
        return f"{show_value(raw)}: '_' does not separate digits here; write the digits alone"
    if whole and _PATTERNS[decimal][1].match(text):
        return f"expected {kind} (no fraction or exponent), got {show_value(raw)}"
    other: DecimalMark = "," if decimal == "." else "."
    if other in text and _PATTERNS[other][1].match(text):
        if decimal == ".":
            return (
                f"{show_value(raw)} is not a number with a decimal point; if the file writes a "
                "decimal comma, declare it (servesell import customers --decimal-comma)"
            )
        return f"{show_value(raw)} is not a number with a decimal comma, as the file was declared"
    return f"expected {kind}, got {show_value(raw)}"


def parse_date(raw: Any) -> dt.date:
    """``raw`` as a date; see the module docstring for the forms read."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if not isinstance(raw, str):
        raise ValueError(
            f"expected a date as YYYY-MM-DD, got {type(raw).__name__} {show_value(raw)}"
        )
    text = raw.strip(_PADDING)
    if not text.isascii():
        text = text.translate(_FULL_WIDTH)
    text = text.replace("/", "-")
    if len(text) == 10 and text[4] == text[7] == "-" and text.isascii():
        try:  # the common case, at C speed (positions rule out week dates)
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    for form in _DATE_FORMS:
        if (match := form.match(text)) is not None:
            year, month, day = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError as exc:
                raise ValueError(f"{show_value(raw)} is not a date: {exc}") from None
    if _DATE_TIME.match(text):
        try:
            return dt.datetime.fromisoformat(text).date()
        except ValueError as exc:
            raise ValueError(f"{show_value(raw)} is not a valid date-time: {exc}") from None
    if "W" in text.upper():
        return _refuse(raw, "ISO week dates are not read")
    return _refuse(raw, "")


def _refuse(raw: str, why: str) -> dt.date:
    detail = f" ({why})" if why else ""
    raise ValueError(f"expected a date as YYYY-MM-DD or YYYYMMDD, got {show_value(raw)}{detail}")


def text_problem(text: str) -> str | None:
    """Why ``text`` is not storable text (a control character, an unpaired surrogate), or None."""
    found = _NOT_TEXT.search(text)
    if found is None:
        return None
    odd = found.group()
    if "\ud800" <= odd <= "\udfff":
        return f"contains {describe_char(odd)}, which is not valid Unicode text"
    return f"contains the control character {describe_char(odd)}"


def describe_char(ch: str) -> str:
    """``U+3000 IDEOGRAPHIC SPACE``: a character a user may not see, made visible."""
    name = "NUL" if ch == "\x00" else unicodedata.name(ch, "")
    shown = f" {ch!r}" if ch.isprintable() and not ch.isspace() else ""
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "") + shown
