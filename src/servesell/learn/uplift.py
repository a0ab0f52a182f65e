"""Incremental take-up per offer and segment, measured against the campaign control groups.

Unit of analysis: a customer for whom an offer was a candidate. Customers whose
hashed draw put them in the offer's control group (never offered it) are compared with
everyone else — the intent-to-treat contrast, which stays unbiased even though not every
treated customer was actually offered (the gate may have been closed). A customer
*converted* when they accepted the offer on any channel, or hold its product now (so
organic take-up in the control group counts too, when holdings are refreshed from the
core systems). Intervals for the difference of two rates are Newcombe's hybrid score
intervals (Wilson on each side), which behave at rates of a few per cent.

>>> rows = [UpliftRow("o1", "all", treated=i % 2 == 0, converted=i % 5 == 0) for i in range(100)]
>>> [u] = measure_uplift(rows)
>>> (u.treated, u.treated_converted, u.control, u.control_converted)
(50, 10, 50, 10)
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

Z95 = 1.959963984540054
ALL = "all"


@dataclass(frozen=True, slots=True)
class UpliftRow:
    """One customer × offer: segment, treatment group, and whether they converted."""

    offer_id: str
    segment: str
    treated: bool
    converted: bool


@dataclass(frozen=True, slots=True)
class Uplift:
    """Take-up with and without the offer in one segment, and the difference with its 95% CI."""

    offer_id: str
    segment: str
    treated: int
    treated_converted: int
    control: int
    control_converted: int
    low: float
    high: float

    @property
    def treated_rate(self) -> float:
        """Take-up in the treatment group."""
        return self.treated_converted / self.treated if self.treated else math.nan

    @property
    def control_rate(self) -> float:
        """Take-up in the control group."""
        return self.control_converted / self.control if self.control else math.nan

    @property
    def uplift(self) -> float:
        """Incremental take-up: treated rate minus control rate."""
        return self.treated_rate - self.control_rate

    @property
    def significant(self) -> bool:
        """Whether the 95% interval excludes zero."""
        return self.low > 0 or self.high < 0


def measure_uplift(rows: Iterable[UpliftRow]) -> list[Uplift]:
    """Uplift per offer and segment, plus an ``all`` segment per offer; sorted by offer."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        for segment in {row.segment, ALL}:
            c = counts[(row.offer_id, segment)]
            side = 0 if row.treated else 2
            c[side] += 1
            c[side + 1] += row.converted
    out = []
    for (offer_id, segment), (nt, xt, nc, xc) in sorted(counts.items(), key=_order):
        low, high = newcombe(xt, nt, xc, nc)
        out.append(Uplift(offer_id, segment, nt, xt, nc, xc, low, high))
    return out


def newcombe(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """95% interval for ``x1/n1 − x2/n2`` (Newcombe 1998, method 10); NaN if a side is empty."""
    if n1 == 0 or n2 == 0:
        return math.nan, math.nan
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1)
    l2, u2 = wilson(x2, n2)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return low, high


def wilson(x: int, n: int) -> tuple[float, float]:
    """Wilson score 95% interval of a proportion."""
    p = x / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _order(item: tuple[tuple[str, str], list[int]]) -> tuple[str, bool, str]:
    offer_id, segment = item[0]
    return offer_id, segment != ALL, segment
