"""The discrete-event loop of an inbound contact center, with the load gate in it.

Calls arrive (pre-drawn, see :mod:`servesell.sim.arrivals`), are answered by an idle
agent or wait in one FIFO queue, and hang up when their patience runs out first.
Agents come and go with the staffing plan (a leaving agent finishes the call in hand).
When a call with an eligible offer is answered, the gate sees the queue as an ACD would
report it — calls waiting, agents staffed and available, the longest wait, and the
arrival rate and handle time estimated from recent calls — and the offer is made when
its extra seconds fit the gate's allowance; a made offer adds its talk and sells when
the caller's latent propensity says yes.

The loop is one function over plain lists and two heaps (completions, patience
deadlines) because it runs a million calls in seconds; everything around it is small.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import deque
from typing import TYPE_CHECKING

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


def simulate(
    scenario: Scenario,
    gate: LoadGate | None = None,
    *,
    seed: int,
    tau_seconds: float = 900.0,
    horizon_seconds: float = 600.0,
) -> SimResult:
    """Run ``scenario`` with ``gate`` deciding every offer; the same seed gives the same run.

    ``tau_seconds`` is the smoothing time of the arrival-rate estimate the gate sees and
    ``horizon_seconds`` how far ahead that estimate is forecast. Without a gate, or
    without cross-selling in the scenario, no offers are made.
    """
    calls = draw_calls(scenario, seed=seed)
    reset = getattr(gate, "reset", None)
    if callable(reset):
        reset()
    first_rate = scenario.calls_per_hour[0]
    feed = _Feed(
        RateEstimator(tau_seconds, prior_per_hour=first_rate),
        HandleTimeEstimator(prior_seconds=scenario.aht_mean_seconds),
        horizon_seconds,
    )
    tallies = _run(scenario, calls, gate, feed)
    agents = list(scenario.agents) * scenario.days
    return measure(
        _policy_name(gate),
        tallies,
        target_seconds=scenario.target.seconds,
        interval_seconds=scenario.interval_seconds,
        agents=agents,
    )


class _Feed:
    """The estimators standing in for the ACD's missing figures."""

    def __init__(self, rates: RateEstimator, handles: HandleTimeEstimator, horizon: float):
        self.rates = rates
        self.handles = handles
        self.horizon = horizon

    def state(self, t: float, waiting: int, staffed: int, idle: int, longest: float) -> QueueState:
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
        )


def _run(scenario: Scenario, calls: Calls, gate: LoadGate | None, feed: _Feed) -> Tallies:  # noqa: PLR0912, PLR0915
    arrival, handle = calls.arrival.tolist(), calls.handle.tolist()
    deadline = (calls.arrival + calls.patience).tolist()
    offer = calls.offer.tolist() if gate is not None else [-1] * len(calls)
    specs = scenario.cross_sell.offers if scenario.cross_sell else ()
    extra = [o.extra_seconds for o in specs]
    n = len(arrival)
    wait = [0.0] * n
    answered = bytearray(n)
    abandoned = bytearray(n)
    offered = bytearray(n)
    staffing = list(scenario.agents) * scenario.days
    shift_at = [k * scenario.interval_seconds for k in range(len(staffing))]
    observe_arrival, observe_handle = feed.rates.observe, feed.handles.observe
    heappush, heappop, inf = heapq.heappush, heapq.heappop, math.inf
    queue: deque[int] = deque()
    done: list[tuple[float, float]] = []
    patience: list[tuple[float, int]] = []
    idle = busy = leaving = staffed = waiting = switches = 0
    busy_seconds = 0.0
    mode = getattr(gate, "mode", None)
    i = s = 0
    n_shifts = len(staffing)

    def answer(k: int, t: float) -> float:
        nonlocal switches, mode
        wait[k] = t - arrival[k]
        answered[k] = 1
        seconds = float(handle[k])
        o = offer[k]
        if o >= 0 and gate is not None:
            longest = 0.0
            while queue and answered[queue[0]] | abandoned[queue[0]]:
                queue.popleft()
            if queue:
                longest = t - arrival[queue[0]]
            state = feed.state(t, waiting, staffed, idle, longest)
            if gate.allowed_extra_seconds(state) >= extra[o]:
                offered[k] = 1
                seconds += extra[o]
            new_mode = getattr(gate, "mode", None)
            if new_mode != mode:
                switches += 1
                mode = new_mode
        heappush(done, (t + seconds, seconds))
        return seconds

    while True:
        ta = arrival[i] if i < n else inf
        td = done[0][0] if done else inf
        tp = patience[0][0] if patience else inf
        ts = shift_at[s] if s < n_shifts else inf
        if ts <= ta and ts <= td and ts <= tp:
            if ts == inf:
                break
            staffed = staffing[s]
            s += 1
            change = staffed - (idle + busy - leaving)
            if change > 0:
                back = min(leaving, change)
                leaving -= back
                idle += change - back
            else:
                gone = min(idle, -change)
                idle -= gone
                leaving += -change - gone
            while idle and waiting:
                k = queue.popleft()
                if answered[k] | abandoned[k]:
                    continue
                idle -= 1
                waiting -= 1
                busy += 1
                busy_seconds += answer(k, ts)
        elif ta <= td and ta <= tp:
            observe_arrival(ta)
            if idle:
                idle -= 1
                busy += 1
                busy_seconds += answer(i, ta)
            else:
                queue.append(i)
                waiting += 1
                if deadline[i] < inf:
                    heappush(patience, (deadline[i], i))
            i += 1
        elif td <= tp:
            _, seconds = heappop(done)
            observe_handle(seconds)
            busy -= 1
            if leaving:
                leaving -= 1
                continue
            while waiting:
                k = queue.popleft()
                if not (answered[k] | abandoned[k]):
                    waiting -= 1
                    busy += 1
                    busy_seconds += answer(k, td)
                    break
            else:
                idle += 1
        else:
            _, k = heappop(patience)
            if not answered[k]:
                abandoned[k] = 1
                wait[k] = tp - arrival[k]
                waiting -= 1
    return _tallies(
        calls,
        specs=specs,
        wait=wait,
        answered=answered,
        offered=offered,
        busy_seconds=busy_seconds,
        switches=switches,
    )


def _tallies(
    calls: Calls,
    *,
    specs: tuple[object, ...],
    wait: list[float],
    answered: bytearray,
    offered: bytearray,
    busy_seconds: float,
    switches: int,
) -> Tallies:
    values = np.array([getattr(o, "value", 0.0) for o in specs] + [0.0])
    return Tallies(
        arrival=calls.arrival,
        wait=np.asarray(wait),
        answered=np.frombuffer(bytes(answered), dtype=np.uint8).astype(bool),
        offered=np.frombuffer(bytes(offered), dtype=np.uint8).astype(bool),
        accepts=calls.accepts,
        value=values[calls.offer],
        busy_seconds=busy_seconds,
        mode_switches=switches,
    )


def _policy_name(gate: LoadGate | None) -> str:
    if gate is None:
        return "none"
    return str(getattr(gate, "spec", type(gate).__name__))
