"""Always sell, whatever the queue: the upper bound on offers and on harm.

>>> AlwaysGate(budget_seconds=90).allowed_extra_seconds(None)
90.0
"""

from __future__ import annotations

from servesell.domain.queue import QueueState
from servesell.queueing.gate.base import GatePolicy


class AlwaysGate(GatePolicy):
    """Sell on every call."""

    name = "always"

    def _budget(self, state: QueueState) -> float:
        return self.budget_seconds

    def _budget_unknown(self) -> float:
        return self.budget_seconds
