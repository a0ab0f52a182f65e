"""The discrete-event loop of an inbound contact center, with the load gate and the engine in it.

Calls arrive (pre-drawn, see :mod:`servesell.sim.arrivals`), are answered by an idle
agent or wait in one FIFO queue, and hang up when their patience runs out first.
Agents come and go with the staffing plan (a leaving agent finishes the call in hand).
When a call is answered the seller (the twin, :mod:`servesell.sim.twin`) sees the queue
as an ACD would report it — calls waiting, agents staffed and available, the longest
wait, and the arrival rate and handle time estimated from recent calls — and returns
the extra seconds of offer talk the production decision engine put in the call. When
the gate diverts, a caller who would have to wait is offered self-service or a callback
and takes it with the scenario's take-up rate.

The loop runs over plain lists and three heaps (completions, patience deadlines, the
queue) because it runs a million calls in under two minutes (``bench/sim.py``).
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import deque
from typing import TYPE_CHECKING, Protocol

import numpy as np

from servesell.domain.queue import QueueState
from servesell.queueing.estimator import HandleTimeEstimator, RateEstimator
from servesell.sim.arrivals import Calls, draw_calls
from servesell.sim.results import SimResult, Tallies, measure

if TYPE_CHECKING:
    from servesell.domain.ports import LoadGate
    from servesell.sim.scenario import Scenario

EPOCH = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
"""Simulated time zero: midnight of a Monday."""


class Seller(Protocol):
    """What happens in a call once answered: the offer talk added, and the sales tallied."""

    def answer(self, call: int, state: QueueState) -> float:
        """Extra seconds of offer talk in ``call``, answered in ``state``."""
        ...

    def tallies(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Per call: offered in the call, sold in the call, revenue; and digital revenue."""
        ...


def simulate(
    scenario: Scenario,
    gate: LoadGate | None = None,
    *,
    seed: int,
    seller: Seller | None = None,
    calls: Calls | None = None,
    tau_seconds: float = 900.0,
    horizon_seconds: float = 600.0,
) -> SimResult:
    """Run ``scenario`` with ``gate`` and ``seller`` in the loop; the same seed, the same run.

    ``calls`` are the run's pre-drawn calls (default: drawn from ``seed``); ``seller``
    decides what each answered call carries (none: service only). ``tau_seconds`` is the
    smoothing time of the arrival-rate estimate the gate sees and ``horizon_seconds`` how
    far ahead that estimate is forecast.
    """
    calls = calls if calls is not None else draw_calls(scenario, seed=seed)
    if gate is not None:
        gate.reset()
    feed = _Feed(
        RateEstimator(tau_seconds, prior_per_hour=scenario.calls_per_hour[0]),
        HandleTimeEstimator(prior_seconds=scenario.aht_mean_seconds),
        horizon_seconds,
    )
    center = _Center(scenario, calls, gate, seller if gate is not None else None, feed)
    center.run()
    return measure(
        gate.spec if gate is not None else "none",
        center.tallies(calls),
        target_seconds=scenario.target.seconds,
        interval_seconds=scenario.interval_seconds,
        agents=list(scenario.agents) * scenario.days,
    )


class _Feed:
    """The estimators standing in for the ACD's missing figures."""

    def __init__(self, rates: RateEstimator, handles: HandleTimeEstimator, horizon: float):
        self.rates = rates
        self.handles = handles
        self.horizon = horizon

    def state(  # noqa: PLR0917  (the figures an ACD reports, positional in the hot loop)
        self,
        t: float,
        waiting: int,
        staffed: int,
        idle: int,
        longest: float,
        today: float | None,
        calls_today: int,
    ) -> QueueState:
        """The queue as the ACD reports it at ``t``, rate and handle time estimated."""
        return QueueState.model_construct(
            queue="sim",
            at=EPOCH + dt.timedelta(seconds=t),
            calls_waiting=waiting,
            agents_staffed=staffed,
            agents_available=idle,
            agents_wrap_up=0,
            longest_wait_seconds=longest,
            arrival_rate_per_hour=self.rates.forecast_per_hour(t, self.horizon),
            aht_seconds=self.handles.seconds,
            service_level_today=today,
            calls_today=calls_today,
        )


class _Center:
    """The agents, the queue and the calls of one run, event by event."""

    def __init__(
        self,
        scenario: Scenario,
        calls: Calls,
        gate: LoadGate | None,
        seller: Seller | None,
        feed: _Feed,
    ) -> None:
        self.arrival, self.handle = calls.arrival.tolist(), calls.handle.tolist()
        self.deadline = (calls.arrival + calls.patience).tolist()
        self.divert_draw = calls.answers[:, 2].tolist()
        n = len(self.arrival)
        self.wait = [0.0] * n
        self.answered, self.abandoned, self.diverted = bytearray(n), bytearray(n), bytearray(n)
        self.staffing = list(scenario.agents) * scenario.days
        self.width = scenario.interval_seconds
        self.take_up = scenario.divert_take_up if gate is not None else 0.0
        self.gate, self.seller, self.feed = gate, seller, feed
        self.queue: deque[int] = deque()
        self.done: list[tuple[float, float]] = []
        self.patience: list[tuple[float, int]] = []
        self.idle = self.busy = self.leaving = self.staffed = self.waiting = 0
        self.switches = 0
        self.busy_seconds = 0.0
        self.mode = gate.mode if gate is not None else None
        self.target_seconds = scenario.target.seconds
        self.day = 0
        self.on_time_today = self.resolved_today = self.offered_today = 0

    def run(self) -> None:
        """Process every event in time order until the last call has left."""
        arrival, done, patience, inf = self.arrival, self.done, self.patience, math.inf
        n, shifts = len(arrival), len(self.staffing)
        i = s = 0
        while True:
            ta = arrival[i] if i < n else inf
            td = done[0][0] if done else inf
            tp = patience[0][0] if patience else inf
            ts = s * self.width if s < shifts else inf
            if ts <= ta and ts <= td and ts <= tp:
                if ts == inf:
                    return
                self.shift(s, ts)
                s += 1
            elif ta <= td and ta <= tp:
                self.arrive(i, ta)
                i += 1
            elif td <= tp:
                self.finish(td)
            else:
                self.hang_up()

    def shift(self, s: int, t: float) -> None:
        """Agents come on or go off duty; a leaving agent finishes the call in hand."""
        self.staffed = self.staffing[s]
        change = self.staffed - (self.idle + self.busy - self.leaving)
        if change > 0:
            back = min(self.leaving, change)
            self.leaving -= back
            self.idle += change - back
        else:
            gone = min(self.idle, -change)
            self.idle -= gone
            self.leaving += -change - gone
        while self.idle and self.waiting:
            k = self._next_waiting()
            self.idle -= 1
            self.waiting -= 1
            self.busy += 1
            self._answer(k, t)

    def arrive(self, k: int, t: float) -> None:
        """Call ``k`` arrives: answered at once, diverted, or queued."""
        self.feed.rates.observe(t)
        self._today(t)
        self.offered_today += 1
        if self.idle:
            self.idle -= 1
            self.busy += 1
            self._answer(k, t)
        elif self.take_up and self._divert(k, t):
            self.diverted[k] = 1
        else:
            self.queue.append(k)
            self.waiting += 1
            if self.deadline[k] < math.inf:
                heapq.heappush(self.patience, (self.deadline[k], k))

    def finish(self, t: float) -> None:
        """A call ends; its agent leaves (end of shift) or takes the next caller."""
        _, seconds = heapq.heappop(self.done)
        self.feed.handles.observe(seconds)
        self.busy -= 1
        if self.leaving:
            self.leaving -= 1
        elif self.waiting:
            k = self._next_waiting()
            self.waiting -= 1
            self.busy += 1
            self._answer(k, t)
        else:
            self.idle += 1

    def hang_up(self) -> None:
        """The earliest patience deadline passes: that caller hangs up if still waiting."""
        t, k = heapq.heappop(self.patience)
        if not self.answered[k]:
            self.abandoned[k] = 1
            self.wait[k] = t - self.arrival[k]
            self.waiting -= 1
            self._count(t, on_time=False)

    def tallies(self, calls: Calls) -> Tallies:
        """The run's per-call outcomes."""
        n = len(calls)
        if self.seller is not None:
            offered, sold, revenue, digital = self.seller.tallies()
        else:
            offered, sold, revenue, digital = (*_nothing(n), np.zeros(n), 0.0)
        return Tallies(
            arrival=calls.arrival,
            wait=np.asarray(self.wait),
            answered=_bools(self.answered),
            diverted=_bools(self.diverted),
            offered=offered,
            sold=sold,
            revenue=revenue,
            digital_revenue=digital,
            busy_seconds=self.busy_seconds,
            mode_switches=self.switches,
        )

    def _next_waiting(self) -> int:
        """The first queued caller still waiting (hung-up callers are skipped)."""
        while True:
            k = self.queue.popleft()
            if not self.abandoned[k]:
                return k

    def _state(self, t: float) -> QueueState:
        queue, abandoned = self.queue, self.abandoned
        while queue and (self.answered[queue[0]] | abandoned[queue[0]]):
            queue.popleft()
        longest = t - self.arrival[queue[0]] if queue else 0.0
        today = self.on_time_today / self.resolved_today if self.resolved_today else None
        return self.feed.state(
            t, self.waiting, self.staffed, self.idle, longest, today, self.offered_today
        )

    def _today(self, t: float) -> None:
        """Start the ACD's day counts afresh at midnight."""
        day = int(t // 86_400)
        if day != self.day:
            self.day, self.on_time_today, self.resolved_today, self.offered_today = day, 0, 0, 0

    def _count(self, t: float, *, on_time: bool) -> None:
        """Tally the day's service level as an ACD does (answered or abandoned so far)."""
        self._today(t)
        self.resolved_today += 1
        self.on_time_today += on_time

    def _divert(self, k: int, t: float) -> bool:
        assert self.gate is not None
        return self.divert_draw[k] < self.take_up and self.gate.diverts(self._state(t))

    def _answer(self, k: int, t: float) -> None:
        self.wait[k] = t - self.arrival[k]
        self.answered[k] = 1
        self._count(t, on_time=self.wait[k] <= self.target_seconds)
        seconds = self.handle[k]
        if self.seller is not None:
            seconds += self.seller.answer(k, self._state(t))
            mode = self.gate.mode if self.gate is not None else None
            if mode != self.mode:
                self.switches += 1
                self.mode = mode
        heapq.heappush(self.done, (t + seconds, seconds))
        self.busy_seconds += seconds


def _bools(flags: bytearray) -> np.ndarray:
    return np.frombuffer(bytes(flags), dtype=np.uint8).astype(bool)


def _nothing(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
