"""Reason codes: why each candidate offer was shown, sent, suppressed or not selected.

Codes are stable strings (they are logged and exported); :data:`DESCRIPTIONS` gives the
sentence a supervisor reads. Policy suppressions are checked in the order of
:class:`Suppression`, so the code logged is the first rule that applies.
"""

from __future__ import annotations

from enum import StrEnum


class Suppression(StrEnum):
    """Contact-policy reasons, in the order they are checked."""

    BLACKLISTED = "blacklisted"
    DO_NOT_MARKET = "do_not_market"
    OPEN_COMPLAINT = "open_complaint"
    COMPLAINT_CALL = "complaint_call"
    VIP_PROTECTED = "vip_protected"
    ALREADY_HOLDS = "already_holds"
    RECENTLY_ACCEPTED = "recently_accepted"
    COOL_DOWN_OFFER = "cool_down_offer"
    COOL_DOWN_GLOBAL = "cool_down_global"
    CAP_DAY = "cap_day"
    CAP_WEEK = "cap_week"
    CAP_MONTH = "cap_month"
    CAP_CHANNEL = "cap_channel"
    CONTROL_GROUP = "control_group"
    QUIET_HOURS = "quiet_hours"
    NO_CHANNEL = "no_reachable_channel"


class Selection(StrEnum):
    """Why an allowed candidate was or was not made."""

    BEST = "best_priority"
    EXPLORED = "explored"
    DIGITAL_VALUE = "digital_better_value"
    DIGITAL_ONLY = "digital_only_offer"
    DIGITAL_BUSY = "digital_when_busy"
    OUTRANKED = "outranked"
    OVER_BUDGET = "over_time_budget"
    GATE_CLOSED = "serve_mode"
    DIGITAL_LIMIT = "digital_limit"
    NET_CALL = "best_net_value_in_call"
    NET_DIGITAL = "best_net_value_digital"
    NO_NET_VALUE = "no_channel_pays"
    NET_SPILL = "digital_when_outranked"
    DIGITAL_PRICE = "digital_below_talk_price"
    BELOW_PRICE = "below_talk_price"


DESCRIPTIONS: dict[str, str] = {
    Suppression.BLACKLISTED: "customer is blacklisted: never marketed to",
    Suppression.DO_NOT_MARKET: "customer opted out of marketing (do-not-market)",
    Suppression.OPEN_COMPLAINT: "customer has an open complaint",
    Suppression.COMPLAINT_CALL: "the customer called to complain: serve only",
    Suppression.VIP_PROTECTED: "VIP customer and this offer is not cleared for VIPs",
    Suppression.ALREADY_HOLDS: "customer already holds the product",
    Suppression.RECENTLY_ACCEPTED: "customer accepted this offer recently",
    Suppression.COOL_DOWN_OFFER: "customer declined this offer recently (per-offer cool-down)",
    Suppression.COOL_DOWN_GLOBAL: "customer declined an offer recently (global cool-down)",
    Suppression.CAP_DAY: "daily contact cap for this customer reached",
    Suppression.CAP_WEEK: "weekly contact cap for this customer reached",
    Suppression.CAP_MONTH: "monthly contact cap for this customer reached",
    Suppression.CAP_CHANNEL: "contact cap for this channel reached",
    Suppression.CONTROL_GROUP: "customer is in the campaign's control group (held out)",
    Suppression.QUIET_HOURS: "digital channels are quiet at this hour",
    Suppression.NO_CHANNEL: "no channel of this offer reaches the customer",
    Selection.BEST: "highest priority within the time budget",
    Selection.EXPLORED: "chosen by exploration (random share of decisions)",
    Selection.DIGITAL_VALUE: "expected value per second of talk below the in-call threshold",
    Selection.DIGITAL_ONLY: "offer is made through digital channels only",
    Selection.DIGITAL_BUSY: "the center is busy (serve mode): sent by a digital channel instead",
    Selection.OUTRANKED: "another offer had higher priority",
    Selection.OVER_BUDGET: "its extra talk time exceeds what the queue can afford now",
    Selection.GATE_CLOSED: "the center is busy (serve mode): no offers in calls",
    Selection.DIGITAL_LIMIT: "digital follow-ups per call already used",
    Selection.NET_CALL: "the call earns the most net of its talk time at the queue's price",
    Selection.NET_DIGITAL: "a message earns more net of its price than talk time now",
    Selection.NO_NET_VALUE: "no channel earns more than it costs for this customer now",
    Selection.NET_SPILL: "the call's time went to a better offer; a message still earns its cost",
    Selection.DIGITAL_PRICE: "below the queue's price of talk time now: sent by a digital channel",
    Selection.BELOW_PRICE: "below the queue's price of talk time now, and no digital channel",
}


def describe(code: str) -> str:
    """The sentence for a reason code (the code itself when unknown)."""
    return DESCRIPTIONS.get(code, code)
