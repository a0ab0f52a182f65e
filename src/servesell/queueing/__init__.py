"""Queueing: Erlang C and Erlang A, the live queue's load, and the busy/idle load gate.

Pure functions and small classes, no I/O. The gates satisfy the decision engine's
:class:`~servesell.domain.LoadGate`.
"""

from servesell.queueing.abandonment import erlang_a, queue_distribution
from servesell.queueing.erlang import erlang_b, erlang_c, erlang_c_wait_probability
from servesell.queueing.estimator import HandleTimeEstimator, RateEstimator
from servesell.queueing.gate import (
    POLICIES,
    AlwaysGate,
    GatePolicy,
    GateVerdict,
    HeadroomGate,
    NeverGate,
    SteeredThresholdGate,
    ThresholdGate,
    ValuedThresholdGate,
    make_gate,
)
from servesell.queueing.load import Load, Target
from servesell.queueing.metrics import QueueMetrics
from servesell.queueing.settings import GateSettings
from servesell.queueing.staffing import agents_required, predict

__all__ = [
    "POLICIES",
    "AlwaysGate",
    "GatePolicy",
    "GateSettings",
    "GateVerdict",
    "HandleTimeEstimator",
    "HeadroomGate",
    "Load",
    "NeverGate",
    "QueueMetrics",
    "RateEstimator",
    "SteeredThresholdGate",
    "Target",
    "ThresholdGate",
    "ValuedThresholdGate",
    "agents_required",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_wait_probability",
    "make_gate",
    "predict",
    "queue_distribution",
]
