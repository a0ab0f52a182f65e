"""Campaign control groups: a stable random share of customers held out to measure lift.

Assignment hashes the campaign key and the customer id, so the same customer is always in
or out of the same campaign's control group (across calls, processes and servers) and
different campaigns split the population independently.

>>> in_control_group("C0000042", "spring_instalment", 0.0)
False
>>> in_control_group("C0000042", "spring_instalment", 0.5) == in_control_group(
...     "C0000042", "spring_instalment", 0.5)
True
"""

from __future__ import annotations

import hashlib

_SCALE = float(2**64)


def control_draw(customer_id: str, campaign: str) -> float:
    """A uniform number in [0, 1) fixed by ``(campaign, customer_id)``."""
    digest = hashlib.blake2b(f"{campaign}\x1f{customer_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / _SCALE


def in_control_group(customer_id: str, campaign: str, share: float) -> bool:
    """Whether the customer is held out of ``campaign`` with control ``share``."""
    if not 0.0 <= share < 1.0:
        raise ValueError(f"control share must be in [0, 1), got {share}")
    return share > 0 and control_draw(customer_id, campaign) < share
