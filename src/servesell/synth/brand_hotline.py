"""The infant-formula brand's members as its 400 hotline sees them (seeds/003).

Mothers who registered a can's loyalty points: a membership tier (new, silver, gold,
platinum; platinum members are the VIPs), the youngest child's age, the formula stage
bought last (some stay on a stage a few weeks after the child has outgrown it), cans
scanned in a year, points not yet redeemed, a reported sensitive tummy, complaints,
and the brand's WeChat mini-program (``brand_schema.yaml``). The offers
(``brand_catalog.yaml``) are what a brand's hotline adviser offers after the question
is answered: the next stage, auto-delivery, a six-can value box, probiotic drops, the
mother's own DHA nutrition, growing-up milk, a gentle formula for sensitive tummies, a
gold membership and a free parenting class. Drawn by the same generator and truth as
the bank (:func:`~servesell.synth.customers.generate_customers` with
:data:`BRAND_PORTFOLIO`, :class:`~servesell.synth.truth.LatentPropensity` with
:data:`BRAND_TASTES`).

No formula is offered to a member who has not bought one, nor for a baby still on
stage 1 (0-6 months, when breastfeeding comes first): the catalog's rules keep formula
offers to existing buyers of stage 2 and up, and to the stage the child needs now
(China's Advertising Law, art. 20, bans advertising breast-milk substitutes for infants
up to 12 months in the media; a member's own hotline call is not an advertisement, but
the brand stays well inside the spirit of the rule). The source
gives no in-call sale rate for the brand's line; the take-up rates below are a
plausible calibration (a member calling with a feeding question is receptive, a
complaint is not), not a measurement — the twin's figures for brand400 are only as
true as they are.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from servesell.synth.customers import Columns, Portfolio, dates_before
from servesell.synth.truth import Feature, Tastes, log_z, num

SEGMENTS = ("new", "silver", "gold", "platinum")
SEGMENT_SHARE = (0.35, 0.43, 0.18, 0.04)
_CANS_BY_SEGMENT = (2.0, 6.0, 12.0, 20.0)
"""Mean cans scanned in 12 months by tier (a can lasts a baby about 2-3 weeks)."""

PRODUCT_RATES = {
    "auto_delivery": 0.08,
    "value_box": 0.10,
    "probiotic_drops": 0.10,
    "maternal_dha": 0.08,
    "growing_up_milk": 0.05,
    "gentle_formula": 0.05,
    "parenting_class": 0.15,
}
"""Share of members holding each product before the run (before adjustments)."""


def _columns(rng: np.random.Generator, n: int, as_of: dt.date) -> Columns:
    """The declared profile fields of ``n`` members (``brand_schema.yaml``)."""
    seg = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARE)
    baby = rng.integers(0, 37, size=n)
    lag = np.round(rng.exponential(1.5, size=n)).astype(int)
    stage = np.where(baby - lag < 6, 1, np.where(baby - lag < 12, 2, 3))
    cans = rng.poisson(np.take(_CANS_BY_SEGMENT, seg) * np.clip((baby + 2) / 12.0, 0.2, 1.0))
    login_days = np.round(rng.exponential(12, size=n)).astype(int)
    app = rng.random(n) < 0.6
    return {
        "age": np.clip(np.round(rng.normal(30.5, 4.0, size=n)), 20, 45).astype(int),
        "segment": np.take(np.array(SEGMENTS), seg),
        "city_tier": rng.choice([1, 2, 3], size=n, p=[0.30, 0.40, 0.30]),
        "tenure_months": np.minimum(baby + rng.integers(0, 10, size=n), 48),
        "baby_age_months": baby,
        "children": np.where(rng.random(n) < 0.15, 2, 1),
        "formula_stage": stage,
        "cans_12m": np.maximum(cans, 1),
        "points_balance": np.round(np.maximum(cans, 1) * 30 * rng.uniform(0.1, 1.0, size=n)).astype(
            int
        ),
        "sensitive_tummy": rng.random(n) < 0.12,
        "complaints_12m": rng.poisson(0.12, size=n),
        "last_app_login_on": dates_before(as_of, login_days, app),
    }


def _boosts(cols: Columns) -> dict[str, np.ndarray]:
    return {
        "growing_up_milk": np.where(cols["baby_age_months"] >= 30, 3.0, 0.0),
        "gentle_formula": np.where(cols["sensitive_tummy"], 4.0, 0.2),
        "maternal_dha": np.where(cols["baby_age_months"] <= 6, 2.0, 0.3),
        "auto_delivery": np.where(cols["cans_12m"] >= 6, 2.0, 0.3),
    }


BRAND_PORTFOLIO = Portfolio(
    columns=_columns,
    product_rates=PRODUCT_RATES,
    boosts=_boosts,
    vip_segment="platinum",
    near_vip_segment="gold",
    risk_field="complaints_12m",
    prefixes=("135", "136", "138", "139", "150", "158", "177", "186", "188", "199"),
)
"""The formula brand's members."""


BASE_RATE = {
    "stage3_upgrade": 0.40,
    "auto_delivery": 0.15,
    "value_box": 0.22,
    "probiotic_drops": 0.25,
    "maternal_dha": 0.22,
    "growing_up_milk": 0.35,
    "gentle_formula": 0.30,
    "gold_membership": 0.20,
    "parenting_class": 0.50,
}
"""Take-up of an average eligible member on a neutral call (the catalog's priors)."""

_EFFECTS: dict[str, dict[str, float]] = {
    "stage3_upgrade": {"stage_due": 1.2, "cans_z": 0.4},
    "auto_delivery": {"cans_z": 0.9, "app_member": 0.4, "second_child": 0.3},
    "value_box": {"cans_z": 0.6, "points_z": 0.4, "tier_high": 0.2},
    "probiotic_drops": {"newborn": 0.5, "sensitive": 0.8, "tier1": 0.3},
    "maternal_dha": {"newborn": 0.8, "age_z": 0.3},
    "growing_up_milk": {"baby_age_z": 0.6, "cans_z": 0.5},
    "gentle_formula": {"sensitive": 1.0, "newborn": 0.3},
    "gold_membership": {"cans_z": 0.7, "points_z": 0.5},
    "parenting_class": {"newborn": 0.9, "app_member": 0.5, "second_child": -0.6},
}

_REASON_EFFECTS: dict[str, dict[str, float]] = {
    "points_rewards": {"value_box": 0.6, "gold_membership": 0.9, "auto_delivery": 0.3},
    "feeding_question": {
        "gentle_formula": 1.2,
        "probiotic_drops": 0.9,
        "parenting_class": 0.7,
        "stage3_upgrade": 0.5,
    },
    "product_inquiry": {"stage3_upgrade": 1.0, "growing_up_milk": 1.0, "value_box": 0.4},
    "where_to_buy": {"auto_delivery": 1.2, "value_box": 0.9},
    "order_delivery": {"auto_delivery": 0.6, "*": -0.2},
    "complaint": {"*": -2.0},
}

_CHANNEL_EFFECTS: dict[str, dict[str, float]] = {
    "sms": {"age_z": 0.3, "app_member": -0.3},
    "wechat": {"app_member": 1.0, "age_z": -0.4},
    "email": {"tier1": 0.3, "app_member": -0.3},
}


_FEATURES: dict[str, Feature] = {
    "age_z": lambda a: (num(a, "age", 30.5) - 30.5) / 4.0,
    "baby_age_z": lambda a: (num(a, "baby_age_months", 18.0) - 18.0) / 10.0,
    "newborn": lambda a: 1.0 if num(a, "baby_age_months", 18.0) <= 6 else 0.0,
    "stage_due": lambda a: (
        1.0 if num(a, "formula_stage", 3.0) == 2 and num(a, "baby_age_months", 0.0) >= 12 else 0.0
    ),
    "cans_z": lambda a: log_z(a, "cans_12m", 1.8),
    "points_z": lambda a: log_z(a, "points_balance", 4.9),
    "sensitive": lambda a: 1.0 if a.get("sensitive_tummy") is True else 0.0,
    "second_child": lambda a: 1.0 if num(a, "children", 1.0) >= 2 else 0.0,
    "tier_high": lambda a: 1.0 if a.get("segment") in ("gold", "platinum") else 0.0,
    "app_member": lambda a: 1.0 if a.get("last_app_login_on") is not None else 0.0,
    "tier1": lambda a: 1.0 if num(a, "city_tier", 3.0) == 1 else 0.0,
}

BRAND_TASTES = Tastes(BASE_RATE, _EFFECTS, _REASON_EFFECTS, _FEATURES, _CHANNEL_EFFECTS)
"""The formula brand's members' latent take-up."""
