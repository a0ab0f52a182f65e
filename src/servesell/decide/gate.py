"""Simple load gates for when no queue model is configured.

The model-based busy/idle gate lives in ``servesell.queueing``; these two are the
fallbacks: a fixed budget, and the sources' rule of thumb "busy: keep answering; idle:
sell" as a threshold on calls waiting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from servesell.domain.ports import LoadGate
    from servesell.domain.queue import QueueState


class FixedBudgetGate:
    """A gate that always allows the same number of extra seconds (``0``: never sell)."""

    def __init__(self, seconds: float = 600.0) -> None:
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {seconds}")
        self.seconds = seconds

    def allowed_extra_seconds(self, queue_state: QueueState | None) -> float:
        """The fixed budget, whatever the queue."""
        return self.seconds


class CallsWaitingGate:
    """``budget_seconds`` while at most ``max_waiting`` calls wait (or the queue is unknown)."""

    def __init__(self, max_waiting: int = 0, budget_seconds: float = 300.0) -> None:
        if max_waiting < 0:
            raise ValueError(f"max_waiting must be >= 0, got {max_waiting}")
        if budget_seconds < 0:
            raise ValueError(f"budget_seconds must be >= 0, got {budget_seconds}")
        self.max_waiting = max_waiting
        self.budget_seconds = budget_seconds

    def allowed_extra_seconds(self, queue_state: QueueState | None) -> float:
        """The budget when few enough calls wait; 0 (serve only) otherwise."""
        if queue_state is None or queue_state.calls_waiting <= self.max_waiting:
            return self.budget_seconds
        return 0.0


class GateSettings(BaseModel):
    """The load gate a supervisor chose: a kind and its knobs (stored, shared by workers).

    ``threshold`` sells while at most ``max_waiting`` calls wait; ``always`` and ``never``
    are the two ends; each allows up to ``budget_seconds`` of offer talk per call.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["threshold", "always", "never"] = "threshold"
    max_waiting: int = Field(default=2, ge=0, le=10_000)
    budget_seconds: float = Field(default=300.0, ge=0, le=3600)

    def build(self) -> LoadGate:
        """The gate these settings describe."""
        if self.kind == "always":
            return FixedBudgetGate(self.budget_seconds)
        if self.kind == "never":
            return FixedBudgetGate(0.0)
        return CallsWaitingGate(self.max_waiting, self.budget_seconds)
