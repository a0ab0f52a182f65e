"""The one base class of every load gate: shared hysteresis, prediction and mode.

A gate answers the decision engine's question "how many extra seconds of offer talk can
this call afford?" (:class:`~servesell.domain.LoadGate`). Subclasses say only how many
seconds the queue affords right now (:meth:`GatePolicy._budget`); the base class adds
the hysteresis that keeps the mode from flapping (switch to serving at once, back to
selling only after the room has lasted ``hold_seconds``; a gate that has not yet seen a
busy queue sells as soon as there is room), the ``serve``/``sell`` mode,
and :meth:`GatePolicy.assess`, which also predicts the effect on the service level.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from servesell.domain.decision import Mode
from servesell.domain.queue import QueueState
from servesell.queueing.abandonment import erlang_a
from servesell.queueing.load import Load, Target

DEFAULT_BUDGET_SECONDS = 300.0
"""Seconds an open gate allows per call unless told otherwise (longer than any offer)."""
DEFAULT_PATIENCE_SECONDS = 300.0
"""Mean caller patience assumed by predictions (5 minutes, as in the Erlang A vectors)."""


@dataclass(frozen=True, slots=True)
class GateVerdict:
    """A gate's answer for one call, with the predicted service level behind it.

    ``service_level`` is the Erlang A prediction for the current state without offers
    and ``service_level_with_offer`` the prediction if calls like this one all added
    the offer's seconds; both are ``None`` when the state lacks a rate or handle time.
    """

    mode: Mode
    allowed_seconds: float
    extra_seconds: float
    service_level: float | None
    service_level_with_offer: float | None

    @property
    def allowed(self) -> bool:
        """Whether an offer of ``extra_seconds`` may be made on this call."""
        return self.mode is Mode.SELL and self.extra_seconds <= self.allowed_seconds


class GatePolicy(ABC):
    """Base of the load gates (template method): subclasses implement :meth:`_budget`."""

    name: ClassVar[str]
    """The policy's name in specs such as ``threshold:3``."""

    def __init__(
        self,
        *,
        budget_seconds: float = DEFAULT_BUDGET_SECONDS,
        hold_seconds: float = 0.0,
        target: Target | None = None,
        patience_seconds: float = DEFAULT_PATIENCE_SECONDS,
        sell_when_unknown: bool = False,
    ) -> None:
        if not budget_seconds >= 0:
            raise ValueError(f"budget_seconds must be >= 0, got {budget_seconds!r}")
        if not hold_seconds >= 0:
            raise ValueError(f"hold_seconds must be >= 0, got {hold_seconds!r}")
        if not patience_seconds > 0:
            raise ValueError(f"patience_seconds must be > 0, got {patience_seconds!r}")
        self.budget_seconds = float(budget_seconds)
        self.hold_seconds = float(hold_seconds)
        self.target = target or Target()
        self.patience_seconds = float(patience_seconds)
        self.sell_when_unknown = bool(sell_when_unknown)
        self._mode = Mode.SERVE
        self._room_since: dt.datetime | None = None
        self._seen_busy = False

    @property
    def mode(self) -> Mode:
        """The current mode: ``sell`` while the gate is open, else ``serve``."""
        return self._mode

    @property
    def spec(self) -> str:
        """The policy as a spec string (``always``, ``threshold:3``, ...)."""
        return self.name

    def allowed_extra_seconds(self, queue_state: QueueState | None) -> float:
        """Seconds of offer talk this call may add; 0 means serve only."""
        if queue_state is None:
            budget = self._budget_unknown()
            self._mode = Mode.SELL if budget > 0 else Mode.SERVE
            return budget
        return self._hysteresis(queue_state.at, self._budget(queue_state))

    def assess(self, queue_state: QueueState | None, extra_seconds: float) -> GateVerdict:
        """Allow or deny an offer of ``extra_seconds``, with the predicted service level."""
        if not extra_seconds >= 0:
            raise ValueError(f"extra_seconds must be >= 0, got {extra_seconds!r}")
        allowed = self.allowed_extra_seconds(queue_state)
        now = with_offer = None
        if queue_state is not None:
            now = self.predicted_service_level(queue_state, 0.0)
            with_offer = self.predicted_service_level(queue_state, extra_seconds)
        return GateVerdict(self._mode, allowed, extra_seconds, now, with_offer)

    def predicted_service_level(self, state: QueueState, extra_seconds: float) -> float | None:
        """Erlang A service level at the state's rate if every call added ``extra_seconds``."""
        if state.arrival_rate_per_hour is None or state.aht_seconds is None:
            return None
        if state.agents_staffed == 0:
            return 0.0
        load = Load(state.arrival_rate_per_hour, state.aht_seconds + extra_seconds)
        return erlang_a(
            load, state.agents_staffed, self.target.seconds, self.patience_seconds
        ).service_level

    def wait_per_talk_second(self, queue_state: QueueState | None, step: float = 10.0) -> float:
        """The queue's shadow cost of talk: extra caller waiting per extra talk second.

        If every call added ``step`` seconds, the Erlang A mean wait would rise from
        ``W(aht)`` to ``W(aht + step)``; each call then imposes ``(W₁ − W₀) / step``
        seconds of waiting on the others per second it adds. Near 0 on a quiet queue,
        large on a busy one; 0 when the state lacks a rate or handle time.
        """
        state = queue_state
        if state is None or state.arrival_rate_per_hour is None or state.aht_seconds is None:
            return 0.0
        if state.agents_staffed == 0 or state.arrival_rate_per_hour <= 0:
            return 0.0
        waits = [
            erlang_a(
                Load(state.arrival_rate_per_hour, state.aht_seconds + extra),
                state.agents_staffed,
                self.target.seconds,
                self.patience_seconds,
            ).asa_seconds
            for extra in (0.0, step)
        ]
        return max(0.0, (waits[1] - waits[0]) / step)

    def diverts(self, queue_state: QueueState | None) -> bool:
        """Whether waiting callers should be offered self-service or a callback now.

        Divert when callers are waiting and the longest of them has already waited
        past the target's seconds: the head of the queue misses the target whatever
        happens next, so the ACD offers the IVR's self-service menu or a callback
        ("busy: divert to self-service", seeds/004). Unknown state: no.
        """
        state = queue_state
        if state is None or state.calls_waiting == 0:
            return False
        return state.longest_wait_seconds >= self.target.seconds

    def reset(self) -> None:
        """Forget the mode and hysteresis (start of a new simulation run)."""
        self._mode = Mode.SERVE
        self._room_since = None
        self._seen_busy = False

    @abstractmethod
    def _budget(self, state: QueueState) -> float:
        """Seconds the queue affords right now, before hysteresis (0 = no room)."""

    def _budget_unknown(self) -> float:
        """Seconds allowed when no queue state is known: serve, unless told to sell."""
        return self.budget_seconds if self.sell_when_unknown else 0.0

    def _hysteresis(self, at: dt.datetime, budget: float) -> float:
        if budget <= 0:
            self._mode, self._room_since, self._seen_busy = Mode.SERVE, None, True
            return 0.0
        if self._mode is Mode.SELL or not self._seen_busy:
            self._mode = Mode.SELL
            return budget
        if self._room_since is None:
            self._room_since = at
        if (at - self._room_since).total_seconds() >= self.hold_seconds:
            self._mode = Mode.SELL
            return budget
        return 0.0
