"""Build a gate from its spec: ``never``, ``always``, ``threshold:N`` or an adaptive one.

>>> make_gate("threshold:2").spec
'threshold:2'
>>> sorted(POLICIES)  # doctest: +NORMALIZE_WHITESPACE
['always', 'gated', 'never', 'steered', 'threshold', 'valued', 'valued_gated', 'valued_guarded',
 'valued_sized']
"""

from __future__ import annotations

from typing import Any

from servesell.queueing.gate.always import AlwaysGate
from servesell.queueing.gate.base import GatePolicy
from servesell.queueing.gate.headroom import HeadroomGate
from servesell.queueing.gate.never import NeverGate
from servesell.queueing.gate.steered import SteeredThresholdGate
from servesell.queueing.gate.threshold import ThresholdGate
from servesell.queueing.gate.valued import (
    GuardedValuedGate,
    SizedGuardValuedGate,
    ValuedHeadroomGate,
    ValuedThresholdGate,
)

POLICIES: dict[str, type[GatePolicy]] = {
    "always": AlwaysGate,
    "gated": HeadroomGate,
    "never": NeverGate,
    "steered": SteeredThresholdGate,
    "threshold": ThresholdGate,
    "valued": ValuedThresholdGate,
    "valued_gated": ValuedHeadroomGate,
    "valued_guarded": GuardedValuedGate,
    "valued_sized": SizedGuardValuedGate,
}
"""Every gate policy by name (the contract tests run over all of them)."""


def make_gate(spec: str, **options: Any) -> GatePolicy:
    """The gate named by ``spec``; ``options`` go to its constructor.

    Raises ``ValueError`` naming the spec when it is unknown or malformed.
    """
    name, _, argument = spec.strip().partition(":")
    cls = POLICIES.get(name)
    if cls is None or (argument and cls is not ThresholdGate):
        known = (
            "always, gated, never, steered, valued, valued_gated, valued_guarded, valued_sized, "
            "threshold:N"
        )
        raise ValueError(f"unknown gate policy {spec!r} (known: {known})")
    foreign = set().union(*(names for owner, names in _OWN_OPTIONS.items() if owner is not cls))
    foreign -= _OWN_OPTIONS.get(cls, frozenset())
    options = {k: v for k, v in options.items() if k not in foreign}
    if cls is ThresholdGate:
        if not argument.isdigit():
            raise ValueError(f"threshold needs calls waiting, e.g. threshold:3, got {spec!r}")
        return ThresholdGate(int(argument), **options)
    return cls(**options)


_STEERED_OPTIONS = frozenset(
    {
        "buffer",
        "step",
        "least_waiting",
        "most_waiting",
        "unknown_waiting",
        "forecast",
        "offer_seconds",
        "guard",
        "guard_load",
        "guard_either",
        "guard_noise",
        "guard_release",
        "load_safety",
    }
)
_HEADROOM_OPTIONS = frozenset(
    {"offer_seconds", "margin", "gain", "buffer", "forecast", "safety", "replan_seconds"}
)
_PRICE_OPTIONS = frozenset({"slope", "spread", "stop_late", "frugal_below"})
_OWN_OPTIONS: dict[type[GatePolicy], frozenset[str]] = {
    HeadroomGate: _HEADROOM_OPTIONS,
    SteeredThresholdGate: _STEERED_OPTIONS,
    ValuedThresholdGate: _STEERED_OPTIONS | _PRICE_OPTIONS,
    ValuedHeadroomGate: _HEADROOM_OPTIONS | _PRICE_OPTIONS,
    GuardedValuedGate: _STEERED_OPTIONS | _PRICE_OPTIONS,
    SizedGuardValuedGate: _STEERED_OPTIONS | _PRICE_OPTIONS,
}
"""Options only some gates take; the others are built without them."""
