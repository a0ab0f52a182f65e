"""Never sell: the serve-only baseline.

>>> NeverGate().allowed_extra_seconds(None)
0.0
"""

from __future__ import annotations

from servesell.domain.queue import QueueState
from servesell.queueing.gate.base import GatePolicy


class NeverGate(GatePolicy):
    """Serve only: the baseline without cross-selling."""

    name = "never"

    def _budget(self, state: QueueState) -> float:
        return 0.0
