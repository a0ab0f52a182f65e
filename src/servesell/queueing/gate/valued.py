"""A price on talk time, steered by the day's running service level (``valued``, ``valued_gated``).

A static ``threshold:N`` makes *any* offer while at most N callers wait. This gate
prices a second of offer talk instead (a Lagrangian shadow price on the service
target) and lets an offer into the call only when its expected margin per extra talk
second beats the price; offers that lose in the call go digital as when busy. The price
is steered like the :class:`SteeredThresholdGate`'s N (the day's running service level
against an aim lowered by the forecast's surplus) and rises with the queue::

    log λ = m + slope × (calls_waiting − agents_available − N − ½)

with ``m`` the mean log value per talk second of the offers the engine has asked about
today (the day's typical offer, so the price needs no currency). An offer's value per
second ``v`` is admitted when ``v ≥ λ``, i.e. its own threshold is ``N`` moved by
``log(v) − m`` over ``slope`` calls waiting (at most ``spread`` either way): the
best-paying offers may still be made with a caller or two more waiting, the poorest
only when the queue is shorter. With ``slope → ∞`` it is ``steered`` exactly. With
``stop_late`` the price is infinite while the head of the queue has already waited past
the target's seconds (the gate :meth:`~GatePolicy.diverts`).

:class:`ValuedHeadroomGate` (``valued_gated``) is the same price with N minus the
``gated`` gate's Erlang A slack reserve. The defaults were chosen on the twin's tuning
days only; on held-out days both earned more than ``gated`` (7.9% and 4.1%) but ended 3
and 1 of 18 days below target, so both are opt-in (``docs/simulation.md``).

:class:`GuardedValuedGate` (``valued_guarded``, the live default) is ``valued`` with
the steered gate's busy-day guard on: on a day whose calls so far exceed the forecast's
by 3%, no offer's threshold moves up and ``gated``'s Erlang A reserve must agree. On the
twin's held-out days it kept the target on all 18 and passed 15 of 18 cells (``gated`` 11).
:class:`SizedGuardValuedGate` (``valued_sized``, opt-in) waits for one standard deviation
of the center's Poisson noise too before a day counts as busy; on new held-out days it
passed the same cells as ``valued_guarded``.

>>> import datetime as dt
>>> from servesell.domain import QueueState
>>> at = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
>>> gate = ValuedThresholdGate(buffer=0.0, slope=1.0)
>>> for _ in range(10):  # the day's typical offer so far: 1 CNY a talk second
...     _ = gate.admits(None, 1.0)
>>> busy = QueueState(at=at, calls_waiting=3, agents_staffed=20, agents_available=0,
...                   service_level_today=0.81)
>>> gate.max_waiting(0.81), gate.admits(busy, 1.0), gate.admits(busy, 3.0)
(2, False, True)
"""

from __future__ import annotations

import math
from typing import Any

from servesell.domain.queue import QueueState
from servesell.queueing.gate.base import GatePolicy
from servesell.queueing.gate.headroom import HeadroomGate
from servesell.queueing.gate.steered import SteeredThresholdGate

GUARD_LEVEL = -0.1
"""``valued_guarded``: the running level (target + this) below which the guard acts anyway."""
GUARD_LOAD = 1.03
"""``valued_guarded``: the day's calls so far over the forecast's from which the guard acts."""
GUARDED_SPREAD = 4.0
"""``valued_guarded``: the most calls an offer's threshold moves either way by its value."""
SIZED_NOISE = 1.0
"""``valued_sized``: standard deviations of the day's load factor a busy day must exceed."""


class _TalkPrice(GatePolicy):
    """The price logic shared by the valued gates; subclasses say where the threshold N is."""

    def _init_price(self, slope: float, spread: float, stop_late: bool, frugal: bool) -> None:
        if not slope > 0:
            raise ValueError(f"slope must be > 0, got {slope!r}")
        if not spread >= 0:
            raise ValueError(f"spread must be >= 0, got {spread!r}")
        self.slope = float(slope)
        self.spread = float(spread)
        self.stop_late = bool(stop_late)
        self.frugal_below = bool(frugal)
        self._log_sum = 0.0
        self._asked = 0
        self._last_read: tuple[QueueState | None, tuple[float, bool]] = (None, (0.0, False))

    def talk_price(self, queue_state: QueueState | None) -> float:
        """The least expected margin per extra talk second an in-call offer must earn now.

        0 without a queue state, before any offer was asked about, or when even the
        poorest offer may be made; ``inf`` when even the best may not (or, with
        ``stop_late``, the head of the queue already misses the target).
        """
        if queue_state is None or self._asked == 0:
            return 0.0
        above = self._read(queue_state)[0]
        if above > self.spread:
            return math.inf
        if above < -self.spread:
            return 0.0
        return math.exp(self._log_sum / self._asked + self.slope * above)

    def admits(self, queue_state: QueueState | None, value_per_second: float) -> bool:
        """Whether an offer earning ``value_per_second`` may be made in this call now.

        Every positive value asked about enters the day's typical offer (``m``) first.
        """
        if value_per_second <= 0:
            return False
        self._log_sum += math.log(value_per_second)
        self._asked += 1
        if queue_state is None:
            return True
        lift = (math.log(value_per_second) - self._log_sum / self._asked) / self.slope
        above, guarded = self._read(queue_state)
        most = self.spread
        if guarded or (self.frugal_below and self._below_aim(queue_state)):
            most = 0.0
        return above <= min(most, max(-self.spread, lift))

    def _read(self, state: QueueState) -> tuple[float, bool]:
        """:meth:`_above` and :meth:`_guarded` of ``state``, kept for the last state read.

        A decision asks for its budget and for every candidate's price on the same state.
        One attribute holds the state with its reading, so a decision in another thread
        never gets this state's reading for its own.
        """
        last = self._last_read
        if last[0] is not state:
            last = (state, (self._above(state), self._guarded(state)))
            self._last_read = last
        return last[1]

    def _above(self, state: QueueState) -> float:
        """How far the queue is past the threshold N (half a call past at N)."""
        if self.stop_late and self.diverts(state):
            return math.inf
        return state.calls_waiting - state.agents_available - self._threshold(state) - 0.5

    def _threshold(self, state: QueueState) -> float:
        """The threshold N on calls waiting − idle agents for a typical offer now."""
        raise NotImplementedError

    def _below_aim(self, state: QueueState) -> bool:
        """Whether the day runs below the level the gate aims at."""
        return self._threshold(state) < 0

    def _guarded(self, state: QueueState) -> bool:
        """Whether a busy-day guard holds the price at the threshold's (no upward move)."""
        return False

    def _budget(self, state: QueueState) -> float:
        if self._read(state)[0] > self.spread:
            return 0.0
        return self._guard_budget(state)

    def _guard_budget(self, state: QueueState) -> float:
        """The budget once the price allows an offer: what a busy-day guard lets through."""
        return self.budget_seconds

    def _forget_price(self) -> None:
        self._log_sum, self._asked = 0.0, 0
        self._last_read = (None, (0.0, False))


class ValuedThresholdGate(_TalkPrice, SteeredThresholdGate):
    """Admit an in-call offer when its value per talk second beats the steered price."""

    name = "valued"

    def __init__(
        self,
        *,
        slope: float = 0.25,
        spread: float = 3.0,
        buffer: float = 0.01,
        stop_late: bool = False,
        frugal_below: bool = False,
        **options: Any,
    ) -> None:
        SteeredThresholdGate.__init__(self, buffer=buffer, **options)
        self._init_price(slope, spread, stop_late, frugal_below)

    def _threshold(self, state: QueueState) -> float:
        return self.max_waiting(state.service_level_today, self.aim(state))

    def _guarded(self, state: QueueState) -> bool:
        return self._guard is not None and self._in_danger(state)

    def _guard_budget(self, state: QueueState) -> float:
        if self._read(state)[1] and self._guard is not None:
            return self._guard.allowed_extra_seconds(state)
        return self.budget_seconds

    def reset(self) -> None:
        """Forget the mode, hysteresis, the day's plan and its typical offer."""
        SteeredThresholdGate.reset(self)
        self._forget_price()


class GuardedValuedGate(ValuedThresholdGate):
    """``valued`` with its busy-day guard on (``valued_guarded``).

    On a day whose calls so far exceed the forecast's by ``guard_load`` (or whose running
    level is below target + ``guard``), no offer's threshold moves up and ``gated``'s
    Erlang A reserve must agree too; other days are ``valued`` unchanged. The busy-day
    signal needs the WFM forecast, the ACD's ``calls_today`` and its running level: a
    gate without them cannot tell a busy day and is ``gated``'s Erlang A check alone
    (every offer admitted, ``gated``'s budget), the gate validated without a forecast.
    """

    name = "valued_guarded"

    def __init__(
        self,
        *,
        guard: float = GUARD_LEVEL,
        guard_load: float = GUARD_LOAD,
        guard_either: bool = True,
        spread: float = GUARDED_SPREAD,
        **options: Any,
    ) -> None:
        super().__init__(
            guard=guard, guard_load=guard_load, guard_either=guard_either, spread=spread, **options
        )

    def blind(self, state: QueueState) -> bool:
        """Whether the busy-day signal is missing: no forecast, call count or day's level."""
        return (
            self.forecast is None or state.calls_today is None or state.service_level_today is None
        )

    def admits(self, queue_state: QueueState | None, value_per_second: float) -> bool:
        """As ``valued``; while :meth:`blind`, every offer worth something is admitted."""
        admitted = super().admits(queue_state, value_per_second)
        if queue_state is not None and self.blind(queue_state):
            return value_per_second > 0
        return admitted

    def _budget(self, state: QueueState) -> float:
        if self._guard is not None and self.blind(state):
            return self._guard.allowed_extra_seconds(state)
        return super()._budget(state)


class SizedGuardValuedGate(GuardedValuedGate):
    """``valued_guarded`` whose busy-day trigger is sized to the center (``valued_sized``).

    A day counts as busy only when its calls so far exceed the forecast's by
    ``guard_load`` *and* by ``guard_noise`` standard deviations of Poisson noise
    (:meth:`SteeredThresholdGate.busy_from`), so a small center's or an early hour's few
    calls more than forecast do not cut the price's lift. Chosen on the twin's tuning
    days only (``docs/simulation.md``, ``gate19d``).
    """

    name = "valued_sized"

    def __init__(self, *, guard_noise: float = SIZED_NOISE, **options: Any) -> None:
        super().__init__(guard_noise=guard_noise, **options)


class ValuedHeadroomGate(_TalkPrice, HeadroomGate):
    """The same price with ``gated``'s Erlang A reserve as the threshold (N = −reserve)."""

    name = "valued_gated"

    def __init__(
        self,
        *,
        slope: float = 0.25,
        spread: float = 3.0,
        buffer: float = -0.005,
        stop_late: bool = False,
        frugal_below: bool = False,
        **options: Any,
    ) -> None:
        HeadroomGate.__init__(self, buffer=buffer, **options)
        self._init_price(slope, spread, stop_late, frugal_below)

    def _threshold(self, state: QueueState) -> float:
        reserve = self.slack_reserve(state)
        return -1.0 if reserve is None else -reserve

    def _below_aim(self, state: QueueState) -> bool:
        level = state.service_level_today
        return level is not None and level < self.target.level + self.buffer

    def reset(self) -> None:
        """Forget the mode, hysteresis, the day's plan and its typical offer."""
        HeadroomGate.reset(self)
        self._forget_price()
