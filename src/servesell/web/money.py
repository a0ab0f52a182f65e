"""Money as people read it: the configured currency's symbol, thousands separators.

>>> format_money(1234, "CNY")
'¥1,234'
>>> format_money(1234.5, "CNY")
'¥1,234.50'
>>> format_money(-8, "USD")
'-$8'
>>> format_money(99.999, "CHF")
'100 CHF'
"""

from __future__ import annotations

SYMBOLS = {
    "CNY": "¥",
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "JP¥",
    "HKD": "HK$",
    "TWD": "NT$",
    "SGD": "S$",
    "KRW": "₩",
    "INR": "₹",
}
"""Currencies shown with a symbol; any other ISO code is written after the amount."""


def format_money(amount: float, currency: str) -> str:
    """``amount`` in ``currency``: whole amounts without decimals, others with two."""
    rounded = round(amount, 2)
    digits = f"{abs(rounded):,.0f}" if rounded == int(rounded) else f"{abs(rounded):,.2f}"
    sign = "-" if rounded < 0 else ""
    symbol = SYMBOLS.get(currency.upper())
    if symbol is None:
        return f"{sign}{digits} {currency.upper()}"
    return f"{sign}{symbol}{digits}"
