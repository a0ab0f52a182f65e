"""Load gates: how many extra seconds of offer talk the queue affords, policy by policy."""

from servesell.queueing.gate.always import AlwaysGate
from servesell.queueing.gate.base import GatePolicy, GateVerdict
from servesell.queueing.gate.headroom import HeadroomGate
from servesell.queueing.gate.never import NeverGate
from servesell.queueing.gate.registry import POLICIES, make_gate
from servesell.queueing.gate.steered import SteeredThresholdGate
from servesell.queueing.gate.threshold import ThresholdGate
from servesell.queueing.gate.valued import (
    GuardedValuedGate,
    SizedGuardValuedGate,
    ValuedHeadroomGate,
    ValuedThresholdGate,
)

__all__ = [
    "POLICIES",
    "AlwaysGate",
    "GatePolicy",
    "GateVerdict",
    "GuardedValuedGate",
    "HeadroomGate",
    "NeverGate",
    "SizedGuardValuedGate",
    "SteeredThresholdGate",
    "ThresholdGate",
    "ValuedHeadroomGate",
    "ValuedThresholdGate",
    "make_gate",
]
