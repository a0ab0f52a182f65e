"""Fill an offer script's ``{field}`` placeholders from the customer's profile.

>>> from servesell.domain import Customer
>>> render_script("Your bill is {balance} yuan, {name}.", Customer("C1", {"balance": 8312.5}))
'Your bill is 8,312.50 yuan, {name}.'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from servesell.domain.customer import Customer

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def render_script(script: str, customer: Customer) -> str:
    """``script`` with known, non-missing profile fields filled in; others left visible."""

    def fill(match: re.Match[str]) -> str:
        value = customer.attributes.get(match.group(1))
        if value is None:
            return match.group(0)
        if isinstance(value, float):
            return f"{value:,.2f}"
        return str(value)

    return _PLACEHOLDER.sub(fill, script)
