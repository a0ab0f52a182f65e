"""The synthetic mobile operator of the 10086-like line (seeds/004): customers and their truth.

Subscribers of a big-city operator: prepaid cards, mass-market and youth plans,
business lines and a premium tier (about 5%, the VIPs); monthly fees, data quotas and
usage, roaming months, household lines and home broadband as an operator's CRM holds
them (``telecom_schema.yaml``). The offers (``telecom_catalog.yaml``) are what an
operator's agents sell after the service request: data add-ons, 5G plan upgrades,
family bundles with broadband, broadband, handsets on instalments, roaming passes and
value-added services. Drawn by the same generator and truth as the bank
(:func:`~servesell.synth.customers.generate_customers` with :data:`TELECOM_PORTFOLIO`,
:class:`~servesell.synth.truth.LatentPropensity` with :data:`TELECOM_TASTES`).

Take-up is high for cheap, well-targeted add-ons on a call about the same need (a
caller asking about a data bill takes a data pack), as the source reports: business was
done on about 40% of agent calls (2010), at about 2.4 yuan of revenue per transaction,
so most sales are small add-ons. The base rates are set so the twin's light-load day
reproduces that figure (``tests/synth/test_telecom.py``); they are a calibration to the
source, not a measurement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np

from servesell.synth.customers import Columns, Portfolio, dates_before, lognormal
from servesell.synth.truth import Feature, Tastes, log_z, num

SEGMENTS = ("prepaid", "mass", "youth", "business", "premium")
SEGMENT_SHARE = (0.15, 0.50, 0.18, 0.12, 0.05)
_FEE_MEDIAN = (25.0, 58.0, 48.0, 128.0, 238.0)
"""Monthly fee (CNY) by segment."""
_TRIPS = (0.05, 0.15, 0.25, 0.9, 1.8)
"""Mean months with roaming abroad in a year, by segment."""

PRODUCT_RATES = {
    "data_addon": 0.10,
    "family_bundle": 0.12,
    "handset_instalment": 0.08,
    "roaming_pack": 0.05,
    "video_membership": 0.15,
    "caller_ringtone": 0.25,
    "cloud_storage": 0.12,
}
"""Share of subscribers holding each product before the run (before adjustments)."""


def _columns(rng: np.random.Generator, n: int, as_of: dt.date) -> Columns:
    """The declared profile fields of ``n`` subscribers (``telecom_schema.yaml``)."""
    seg = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARE)
    youth = seg == 2
    older = np.round(rng.gamma(8.0, 5.0, size=n) + 8).astype(int)
    age = np.clip(np.where(youth, rng.integers(18, 31, size=n), older), 16, 85)
    fee = lognormal(rng, np.take(_FEE_MEDIAN, seg), 0.3, round_to=1)
    quota = np.round(np.clip(fee / 3.0, 1.0, 100.0))
    usage = lognormal(rng, np.where(youth, 0.95, 0.7) * quota, 0.45)
    five_g = rng.random(n) < np.take((0.10, 0.40, 0.55, 0.55, 0.75), seg)
    trips = rng.poisson(np.take(_TRIPS, seg))
    login_days = np.round(rng.exponential(10, size=n)).astype(int)
    app = rng.random(n) < np.clip(1.1 - age / 80.0, 0.1, 0.95)
    return {
        "age": age,
        "segment": np.take(np.array(SEGMENTS), seg),
        "city_tier": rng.choice([1, 2, 3], size=n, p=[0.45, 0.35, 0.20]),
        "tenure_months": np.round(rng.gamma(1.5, 30.0, size=n) + 1).astype(int),
        "network": np.where(five_g, "5g", "4g"),
        "handset_5g": five_g | (rng.random(n) < 0.5),
        "handset_age_months": np.round(rng.gamma(2.0, 11.0, size=n)).astype(int),
        "monthly_fee": fee,
        "data_quota_gb": quota,
        "data_used_gb": np.round(usage, 1),
        "overage_fee": np.round(np.maximum(usage - quota, 0.0) * 3.0, 2),
        "arrears_count_12m": rng.poisson(np.where(seg == 0, 0.05, 0.25)),
        "intl_trips_12m": trips,
        "family_lines": np.clip(rng.poisson(0.8, size=n), 0, 4),
        "has_broadband": rng.random(n) < 0.35,
        "last_app_login_on": dates_before(as_of, login_days, app),
    }


def _boosts(cols: Columns) -> dict[str, np.ndarray]:
    return {
        "family_bundle": np.where(cols["family_lines"] > 0, 2.0, 0.2),
        "roaming_pack": np.where(cols["intl_trips_12m"] > 0, 3.0, 0.1),
        "video_membership": np.where(cols["age"] < 35, 1.8, 0.5),
        "data_addon": np.where(cols["data_used_gb"] > cols["data_quota_gb"], 2.0, 0.6),
    }


def _bundle_has_broadband(cols: Columns, held: Mapping[str, np.ndarray]) -> None:
    """A family bundle includes home broadband."""
    cols["has_broadband"] = cols["has_broadband"] | held["family_bundle"]


TELECOM_PORTFOLIO = Portfolio(
    columns=_columns,
    product_rates=PRODUCT_RATES,
    boosts=_boosts,
    vip_segment="premium",
    near_vip_segment="business",
    risk_field="arrears_count_12m",
    adjust=_bundle_has_broadband,
    prefixes=("134", "135", "136", "137", "138", "139", "147", "150", "182", "198"),
)
"""The mobile operator's subscribers."""


BASE_RATE = {
    "data_addon": 0.65,
    "plan_upgrade_5g": 0.50,
    "family_bundle": 0.40,
    "broadband": 0.35,
    "handset_instalment": 0.10,
    "roaming_pack": 0.50,
    "video_membership": 0.55,
    "caller_ringtone": 0.60,
    "cloud_storage": 0.40,
}
"""Take-up of an average eligible subscriber on a neutral call (the catalog's priors)."""

_EFFECTS: dict[str, dict[str, float]] = {
    "data_addon": {"data_pressure": 1.5, "overage_z": 0.6, "youth": 0.4},
    "plan_upgrade_5g": {"data_pressure": 0.8, "fee_z": 0.4, "age_z": -0.4},
    "family_bundle": {"family": 0.8, "tier1": 0.3, "tenure_z": 0.3},
    "broadband": {"family": 0.6, "age_z": 0.2},
    "handset_instalment": {"handset_age_z": 0.9, "fee_z": 0.5},
    "roaming_pack": {"trips_z": 1.2, "business": 0.5},
    "video_membership": {"age_z": -0.8, "youth": 0.5, "app_user": 0.3},
    "caller_ringtone": {"age_z": 0.3, "tenure_z": -0.2},
    "cloud_storage": {"app_user": 0.7, "age_z": -0.3},
}

_REASON_EFFECTS: dict[str, dict[str, float]] = {
    "bill_inquiry": {"data_addon": 0.8, "plan_upgrade_5g": 0.5, "family_bundle": 0.3},
    "data_usage": {"data_addon": 1.4, "plan_upgrade_5g": 0.9, "video_membership": 0.3},
    "plan_change": {"plan_upgrade_5g": 1.3, "family_bundle": 0.8, "data_addon": 0.5},
    "top_up": {"data_addon": 0.4, "caller_ringtone": 0.3},
    "roaming": {"roaming_pack": 1.8, "*": -0.3},
    "broadband_service": {"family_bundle": 0.9, "broadband": 1.0},
    "handset_network": {"handset_instalment": 1.0, "plan_upgrade_5g": 0.6},
    "complaint": {"*": -2.0},
}

_CHANNEL_EFFECTS: dict[str, dict[str, float]] = {
    "sms": {"age_z": 0.5, "youth": -0.5},
    "wechat": {"youth": 1.0, "app_user": 0.6, "age_z": -0.7},
    "email": {"business": 0.9, "age_z": 0.2},
}


_FEATURES: dict[str, Feature] = {
    "age_z": lambda a: (num(a, "age", 38.0) - 38.0) / 12.0,
    "data_pressure": lambda a: (
        num(a, "data_used_gb", 0.0) / max(num(a, "data_quota_gb", 1.0), 1.0) - 0.8
    ),
    "overage_z": lambda a: log_z(a, "overage_fee", 1.0),
    "fee_z": lambda a: log_z(a, "monthly_fee", 4.1),
    "tenure_z": lambda a: (num(a, "tenure_months", 46.0) - 46.0) / 36.0,
    "handset_age_z": lambda a: (num(a, "handset_age_months", 22.0) - 22.0) / 15.0,
    "trips_z": lambda a: num(a, "intl_trips_12m", 0.0) - 1.0,
    "family": lambda a: 1.0 if num(a, "family_lines", 0.0) >= 1 else 0.0,
    "youth": lambda a: 1.0 if a.get("segment") == "youth" else 0.0,
    "business": lambda a: 1.0 if a.get("segment") in ("business", "premium") else 0.0,
    "app_user": lambda a: 1.0 if a.get("last_app_login_on") is not None else 0.0,
    "tier1": lambda a: 1.0 if num(a, "city_tier", 3.0) == 1 else 0.0,
}

TELECOM_TASTES = Tastes(BASE_RATE, _EFFECTS, _REASON_EFFECTS, _FEATURES, _CHANNEL_EFFECTS)
"""The mobile operator's subscribers' latent take-up."""
