"""Synthetic customers: a realistic, seeded portfolio (a credit-card bank's by default).

Distributions follow a mid-sized Chinese card issuer: mostly mass-market customers,
lognormal limits and deposits by segment, a minority paying only part of the bill, few
with overdue history, about 2-3% VIP (private banking and top affluent), 8% who opted
out of marketing, 1% blacklisted, 0.5% with an open complaint. Missing values appear
where real CRMs have them (self-declared income, last app login). Another world draws
its own profile columns and products (a :class:`Portfolio`, e.g. the mobile operator's
``synth.telecom.TELECOM_PORTFOLIO``) through the same generator and flags.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from servesell.domain.customer import Customer
from servesell.domain.schema import Value

SEGMENTS = ("mass", "young_professional", "affluent", "private")
SEGMENT_SHARE = (0.70, 0.15, 0.12, 0.03)
_LIMIT_MEDIAN = (8_000.0, 15_000.0, 40_000.0, 100_000.0)
_DEPOSIT_MEDIAN = (12_000.0, 25_000.0, 150_000.0, 1_200_000.0)
_INCOME_MEDIAN = (70_000.0, 140_000.0, 300_000.0, 1_000_000.0)

PRODUCT_RATES = {
    "credit_card": 1.0,
    "bill_instalment": 0.12,
    "cash_instalment": 0.05,
    "travel_insurance": 0.06,
    "wealth_product": 0.08,
    "platinum_card": 0.05,
    "auto_debit": 0.40,
    "mobile_banking": 0.70,
    "car_loan": 0.02,
    "accident_insurance": 0.07,
}
"""Share of customers holding each product before the demo starts (before adjustments)."""


@dataclass(frozen=True, slots=True)
class CustomerFlags:
    """Rates of the contact-policy flags."""

    vip_affluent: float = 0.05
    do_not_market: float = 0.08
    blacklisted: float = 0.01
    open_complaint: float = 0.005


Columns = dict[str, np.ndarray]


@dataclass(frozen=True, slots=True)
class Portfolio:
    """How one world's customers are drawn: profile columns, products held, flag fields.

    ``columns`` draws the declared profile fields; each product in ``product_rates`` is
    held with its rate times ``boosts(columns)[product]`` (default 1); ``adjust`` may
    then edit the columns from the holdings. Customers of ``vip_segment`` are VIPs, and
    those of ``near_vip_segment`` at :attr:`CustomerFlags.vip_affluent`; three or more
    of ``risk_field`` (overdue or unpaid months) makes blacklisting 12 times likelier.
    """

    columns: Callable[[np.random.Generator, int, dt.date], Columns]
    product_rates: Mapping[str, float]
    boosts: Callable[[Columns], dict[str, np.ndarray]]
    vip_segment: str
    near_vip_segment: str
    risk_field: str
    adjust: Callable[[Columns, Mapping[str, np.ndarray]], None] = field(
        default=lambda cols, held: None
    )
    prefixes: tuple[str, ...] = ("138", "139", "186", "150", "177")


def generate_customers(
    n: int,
    *,
    seed: int,
    as_of: dt.date,
    flags: CustomerFlags | None = None,
    portfolio: Portfolio | None = None,
) -> list[Customer]:
    """``n`` customers (the bank's by default) with ids ``C0000001``...; same seed, same people."""
    if n < 1:
        raise ValueError(f"number of customers must be at least 1, got {n}")
    world = portfolio or BANK_PORTFOLIO
    rng = np.random.default_rng(seed)
    cols = world.columns(rng, n, as_of)
    holdings = _holdings(rng, n, cols, world)
    flag_cols = _flags(rng, n, cols, flags or CustomerFlags(), world)
    phones = rng.integers(10_000_000, 99_999_999, size=n)
    prefixes = rng.choice(np.array(world.prefixes), size=n)
    names = list(cols)
    values = [_native(cols[name]) for name in names]
    out = []
    for i in range(n):
        attrs: dict[str, Value] = {name: values[j][i] for j, name in enumerate(names)}
        out.append(
            Customer(
                id=f"C{i + 1:07d}",
                attributes=attrs,
                holdings=holdings[i],
                vip=bool(flag_cols["vip"][i]),
                do_not_market=bool(flag_cols["do_not_market"][i]),
                blacklisted=bool(flag_cols["blacklisted"][i]),
                open_complaint=bool(flag_cols["open_complaint"][i]),
                phone=f"{prefixes[i]}{phones[i]:08d}",
            )
        )
    return out


def _native(column: np.ndarray) -> list[Value]:
    """Plain Python values, NaN as a missing value."""
    values: list[Value] = column.tolist()
    if column.dtype.kind == "f":
        return [None if isinstance(v, float) and math.isnan(v) else v for v in values]
    return values


def _profile_columns(rng: np.random.Generator, n: int, as_of: dt.date) -> dict[str, np.ndarray]:
    seg = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARE)
    age = np.clip(np.round(rng.gamma(9.0, 4.2, size=n) + 4 + 6 * (seg >= 2)), 20, 75).astype(int)
    limit = lognormal(rng, np.take(_LIMIT_MEDIAN, seg), 0.55, round_to=1000)
    utilisation = rng.beta(1.6, 2.4, size=n)
    repayment = _repayment(rng, seg)
    overdue = rng.poisson(np.where(repayment == 2, 1.2, np.where(repayment == 1, 0.35, 0.04)))
    spend = np.round(limit * rng.uniform(0.08, 0.45, size=n), 2)
    travel = np.where(
        rng.random(n) < np.take((0.35, 0.55, 0.75, 0.9), seg),
        np.round(lognormal(rng, np.take((2500.0, 6000.0, 15000.0, 40000.0), seg), 0.8), 2),
        0.0,
    )
    income = lognormal(rng, np.take(_INCOME_MEDIAN, seg), 0.5, round_to=1000)
    app_login_days = np.round(rng.exponential(20, size=n)).astype(int)
    return {
        "age": age,
        "segment": np.take(np.array(SEGMENTS), seg),
        "city_tier": rng.choice([1, 2, 3], size=n, p=[0.35, 0.40, 0.25]),
        "account_age_days": np.round(rng.gamma(1.6, 700, size=n) + 15).astype(int),
        "credit_limit": limit,
        "balance": np.round(limit * utilisation, 2),
        "repayment_mode": np.take(np.array(["full", "partial", "minimum"]), repayment),
        "overdue_count_12m": overdue,
        "monthly_spend": spend,
        "travel_spend_12m": travel,
        "deposit_balance": lognormal(rng, np.take(_DEPOSIT_MEDIAN, seg), 1.0, round_to=1),
        "risk_tolerance": np.clip(rng.binomial(4, 0.35 + 0.1 * (seg >= 2), size=n) + 1, 1, 5),
        "annual_income": np.where(rng.random(n) < 0.35, np.nan, income),
        "last_login_on": np.array(
            [as_of - dt.timedelta(days=int(d)) for d in app_login_days], dtype=object
        ),
    }


def dates_before(as_of: dt.date, days_ago: np.ndarray, present: np.ndarray) -> np.ndarray:
    """``as_of`` minus each of ``days_ago``, missing (``None``) where not ``present``."""
    return np.array(
        [
            as_of - dt.timedelta(days=int(d)) if seen else None
            for d, seen in zip(days_ago, present, strict=True)
        ],
        dtype=object,
    )


def lognormal(
    rng: np.random.Generator, median: np.ndarray, sigma: float, round_to: int = 1
) -> np.ndarray:
    """Lognormal draws around each ``median`` with log-sd ``sigma``, rounded to ``round_to``."""
    raw = median * np.exp(rng.normal(0.0, sigma, size=len(median)))
    return np.round(raw / round_to) * float(round_to)


def _repayment(rng: np.random.Generator, seg: np.ndarray) -> np.ndarray:
    full = np.take((0.50, 0.60, 0.80, 0.92), seg)
    partial = np.take((0.32, 0.30, 0.16, 0.07), seg)
    u = rng.random(len(seg))
    return np.where(u < full, 0, np.where(u < full + partial, 1, 2))


def _holdings(
    rng: np.random.Generator, n: int, cols: Columns, world: Portfolio
) -> list[frozenset[str]]:
    boost = world.boosts(cols)
    held = {
        product: rng.random(n) < np.clip(rate * boost.get(product, 1.0), 0, 1)
        for product, rate in world.product_rates.items()
    }
    products = list(held)
    matrix = np.column_stack([held[p] for p in products])
    out = [frozenset(p for p, has in zip(products, row, strict=True) if has) for row in matrix]
    world.adjust(cols, held)
    return out


def _bank_boosts(cols: Columns) -> dict[str, np.ndarray]:
    affluent = np.isin(cols["segment"], ["affluent", "private"])
    return {
        "wealth_product": np.where(affluent, 3.5, 0.6),
        "platinum_card": np.where(affluent, 4.0, 0.4),
        "travel_insurance": np.where(cols["travel_spend_12m"] > 0, 1.6, 0.3),
        "mobile_banking": np.where(cols["age"] > 55, 0.6, 1.15),
        "auto_debit": np.where(cols["repayment_mode"] == "full", 1.5, 0.5),
    }


def _bank_no_app(cols: Columns, held: Mapping[str, np.ndarray]) -> None:
    """Customers without mobile banking have no last login."""
    cols["last_login_on"][~held["mobile_banking"]] = None


def _flags(
    rng: np.random.Generator, n: int, cols: Columns, rates: CustomerFlags, world: Portfolio
) -> dict[str, np.ndarray]:
    segment = cols["segment"]
    near = (segment == world.near_vip_segment) & (rng.random(n) < rates.vip_affluent)
    vip = (segment == world.vip_segment) | near
    risky = cols[world.risk_field] >= 3
    return {
        "vip": vip,
        "do_not_market": rng.random(n) < rates.do_not_market,
        "blacklisted": rng.random(n) < np.where(risky, rates.blacklisted * 12, rates.blacklisted),
        "open_complaint": rng.random(n) < rates.open_complaint,
    }


BANK_PORTFOLIO = Portfolio(
    columns=_profile_columns,
    product_rates=PRODUCT_RATES,
    boosts=_bank_boosts,
    vip_segment="private",
    near_vip_segment="affluent",
    risk_field="overdue_count_12m",
    adjust=_bank_no_app,
)
"""The synthetic card issuer's customers."""
