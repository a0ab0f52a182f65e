"""The model-based gate: Erlang A headroom for the current staffing and arrival rate.

Armony and Gurvich (2010) show that cross-selling only while the number of callers in
the system is below a threshold is asymptotically optimal; the right threshold depends
on the staffing and the arrival rate, which change through the day. This gate computes
it afresh from the queue state:

1. the share ``s`` of calls that may carry an offer: the largest ``s`` for which Erlang
   A, with every call's handle time stretched by ``s × offer_seconds``, still predicts
   the target service level plus ``margin`` (``s = 1``: sell on every call; ``s = 0``:
   even serving alone misses the target, so serve);
2. a reserve ``r`` on the slack (idle agents minus calls waiting) such that, in that
   Erlang A queue, calls answered with slack of at least ``r`` are no more than the
   share ``s``: offers go to the calls answered in the least congested moments, where
   their extra seconds cost least;
3. the gate is open for a call answered with ``agents_available - calls_waiting >= r``.

The default ``margin`` of -0.25 aims each moment at 55% when the day's target is 80%:
the target is a daily average, quiet hours run near 100%, and aiming every half hour
at the full target leaves most of the day's room unsold (see ``docs/queueing.md``).

Results are cached per (agents, rate, handle time) rounded to 5%, so the
gate costs a dictionary look-up per call.
"""

from __future__ import annotations

import math
from typing import Any

from servesell.domain.queue import QueueState
from servesell.queueing.abandonment import erlang_a, queue_distribution
from servesell.queueing.gate.base import GatePolicy
from servesell.queueing.load import Load

_BISECTIONS = 12


class HeadroomGate(GatePolicy):
    """Sell while the slack beats the Erlang A reserve for the current load (``gated``)."""

    name = "gated"

    def __init__(
        self, *, offer_seconds: float = 55.0, margin: float = -0.25, **options: Any
    ) -> None:
        if not offer_seconds > 0:
            raise ValueError(f"offer_seconds must be > 0, got {offer_seconds!r}")
        super().__init__(**options)
        if not -self.target.level < margin < 1 - self.target.level:
            raise ValueError(f"margin must keep the goal in (0, 1), got {margin!r}")
        self.offer_seconds = float(offer_seconds)
        self.margin = float(margin)
        self._cache: dict[tuple[int, int, int], float] = {}

    def reserve(self, agents: int, calls_per_hour: float, aht_seconds: float) -> float:
        """Smallest slack (idle agents − calls waiting) at which a call may carry an offer."""
        key = (agents, _bucket(calls_per_hour), _bucket(aht_seconds))
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._reserve(agents, calls_per_hour, aht_seconds)
        return found

    def sell_share(self, agents: int, calls_per_hour: float, aht_seconds: float) -> float:
        """Largest share of calls that may carry an offer and keep the goal (Erlang A)."""
        if self._level(agents, calls_per_hour, aht_seconds + self.offer_seconds) >= self._goal:
            return 1.0
        if self._level(agents, calls_per_hour, aht_seconds) < self._goal:
            return 0.0
        low, high = 0.0, 1.0
        for _ in range(_BISECTIONS):
            middle = (low + high) / 2
            extra = aht_seconds + middle * self.offer_seconds
            if self._level(agents, calls_per_hour, extra) >= self._goal:
                low = middle
            else:
                high = middle
        return low

    def _budget(self, state: QueueState) -> float:
        rate, aht = state.arrival_rate_per_hour, state.aht_seconds
        if rate is None or aht is None or state.agents_staffed == 0:
            return self.budget_seconds if state.agents_available > 0 else 0.0
        slack = state.agents_available - state.calls_waiting
        if slack >= self.reserve(state.agents_staffed, rate, aht):
            return self.budget_seconds
        return 0.0

    @property
    def _goal(self) -> float:
        return self.target.level + self.margin

    def _level(self, agents: int, calls_per_hour: float, aht_seconds: float) -> float:
        load = Load(calls_per_hour, aht_seconds)
        metrics = erlang_a(load, agents, self.target.seconds, self.patience_seconds)
        return metrics.service_level

    def _reserve(self, agents: int, calls_per_hour: float, aht_seconds: float) -> float:
        share = self.sell_share(agents, calls_per_hour, aht_seconds)
        if share >= 1.0:
            return -math.inf
        if share <= 0.0:
            return math.inf
        import numpy as np

        load = Load(calls_per_hour, aht_seconds + share * self.offer_seconds)
        immediate, queued = queue_distribution(load, agents, self.patience_seconds)
        # A caller answered at once in state x leaves slack agents - x - 1; callers
        # answered from the queue leave slack <= 0 and are left to serving.
        at_least = np.cumsum(immediate)  # at_least[x] = P(slack >= agents - x - 1)
        fits = np.nonzero(at_least <= share * (at_least[-1] + queued))[0]
        return float(agents - fits[-1] - 1) if fits.size else float(agents)


def _bucket(value: float) -> int:
    """Round to a 5% grid on the log scale (cache key)."""
    return round(math.log(max(value, 1e-9)) / 0.05)
