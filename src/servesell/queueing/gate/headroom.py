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
3. the gate is open for a call answered with ``agents_available - calls_waiting >= r``;
   when the share exceeds the calls answered at once, ``r`` goes below 0 (sell with a
   few callers waiting, as far as the Erlang A share allows).

The target is a daily average: quiet hours run near 100% and aiming every moment at
the full target leaves most of the day's room unsold. When the ACD reports the day's
service level so far (``QueueState.service_level_today``) the gate steers it: each
moment aims at ``aim + margin − gain × (today − aim)`` with ``aim`` the target plus
``buffer`` (a day running above target sells more, one below sells less); otherwise
each moment aims at the target plus ``margin`` (-0.25: 55% for an 80% target; see
``docs/queueing.md`` and ``docs/simulation.md``).

With the day's forecast (``forecast``, a :class:`~servesell.queueing.forecast.DayForecast`
of arrivals and planned agents per interval) and the ACD's count of the day's calls
(``QueueState.calls_today``), the steered running level is lowered during the day by
the surplus the rest of the day is expected to add: the intervals whose Erlang A level
with an offer on *every* call stays above the target + ``safety`` (the quiet evening)
end the day above it whatever the gate does, so the running level may sit that much
below it now. Arrivals are the forecast's, scaled by the day's calls so far over the
forecast's; the reference is re-planned every ``replan_seconds``. Without a forecast
or a call count, the gate steers towards the target as above. (Opt-in: it did not earn
more on the twin's tuning days, see ``docs/simulation.md``.)

Results are cached per (agents, rate, handle time) rounded to 5% and the aim rounded to
2.5%, and the Erlang A levels behind them per (agents, rate, handle time, share), so the
gate costs a dictionary look-up per call.
"""

from __future__ import annotations

import math
from typing import Any

from servesell.domain.queue import QueueState
from servesell.queueing.abandonment import erlang_a, queue_distribution_by_wait
from servesell.queueing.forecast import DayForecast
from servesell.queueing.gate.base import GatePolicy
from servesell.queueing.load import Load

_BISECTIONS = 12
_GOAL_STEPS = 40
"""A moment's aim is rounded to 2.5% (the cache reuses the Erlang A work across aims)."""
_LEAST, _MOST = 0.05, 0.99
"""Bounds of a moment's aim, however far the day has run above or below target."""
_PRIOR_CALLS = 100.0
"""Forecast calls added to both sides of the day's load factor (calls so far / forecast)."""
_FACTOR_BOUNDS = (0.5, 2.0)
"""The day's load factor, however far the calls so far stray from the forecast."""
_MOST_LOWERED = 0.1
"""The most the forecast may lower the steered running level below target + safety."""


class HeadroomGate(GatePolicy):
    """Sell while the slack beats the Erlang A reserve for the current load (``gated``)."""

    name = "gated"

    def __init__(
        self,
        *,
        offer_seconds: float = 55.0,
        margin: float = -0.25,
        gain: float = 20.0,
        buffer: float = 0.0,
        forecast: DayForecast | None = None,
        safety: float = 0.01,
        replan_seconds: float = 60.0,
        **options: Any,
    ) -> None:
        if not offer_seconds > 0:
            raise ValueError(f"offer_seconds must be > 0, got {offer_seconds!r}")
        super().__init__(**options)
        if not -self.target.level < margin < 1 - self.target.level:
            raise ValueError(f"margin must keep the goal in (0, 1), got {margin!r}")
        if not gain >= 0:
            raise ValueError(f"gain must be >= 0, got {gain!r}")
        if not -self.target.level < buffer < 1 - self.target.level:
            raise ValueError(f"buffer must keep the aim below 1, got {buffer!r}")
        if not -self.target.level < safety < 1 - self.target.level:
            raise ValueError(f"safety must keep the day's aim in (0, 1), got {safety!r}")
        if not replan_seconds >= 0:
            raise ValueError(f"replan_seconds must be >= 0, got {replan_seconds!r}")
        self.forecast = forecast
        self.safety = float(safety)
        self.replan_seconds = float(replan_seconds)
        self._plan: tuple[float, float] | None = None
        """When the day's reference was last planned (epoch seconds) and that reference."""
        self.offer_seconds = float(offer_seconds)
        self.margin = float(margin)
        self.gain = float(gain)
        self.buffer = float(buffer)
        self._cache: dict[tuple[int, int, int, int], float] = {}
        self._levels: dict[tuple[int, int, int, float], float] = {}

    def goal(self, service_level_today: float | None, aim: float | None = None) -> float:
        """The service level this moment aims at, given the day's so far (if known).

        ``aim`` is the running level to steer towards (default: target + ``buffer``).
        """
        if service_level_today is None:
            return self.target.level + self.margin
        aim = self.target.level + self.buffer if aim is None else aim
        goal = aim + self.margin - self.gain * (service_level_today - aim)
        return min(_MOST, max(_LEAST, goal))

    def reserve(
        self, agents: int, calls_per_hour: float, aht_seconds: float, goal: float | None = None
    ) -> float:
        """Smallest slack (idle agents − calls waiting) at which a call may carry an offer."""
        steps = round((self.goal(None) if goal is None else goal) * _GOAL_STEPS)
        key = (agents, _bucket(calls_per_hour), _bucket(aht_seconds), steps)
        found = self._cache.get(key)
        if found is None:
            goal = steps / _GOAL_STEPS
            found = self._cache[key] = self._reserve(agents, calls_per_hour, aht_seconds, goal)
        return found

    def sell_share(
        self, agents: int, calls_per_hour: float, aht_seconds: float, goal: float | None = None
    ) -> float:
        """Largest share of calls that may carry an offer and keep ``goal`` (Erlang A)."""
        goal = self.goal(None) if goal is None else goal
        if self._level(agents, calls_per_hour, aht_seconds, 1.0) >= goal:
            return 1.0
        if self._level(agents, calls_per_hour, aht_seconds, 0.0) < goal:
            return 0.0
        low, high = 0.0, 1.0
        for _ in range(_BISECTIONS):
            middle = (low + high) / 2
            if self._level(agents, calls_per_hour, aht_seconds, middle) >= goal:
                low = middle
            else:
                high = middle
        return low

    def _budget(self, state: QueueState) -> float:
        reserve = self.slack_reserve(state)
        if reserve is None:
            return self.budget_seconds if state.agents_available > 0 else 0.0
        slack = state.agents_available - state.calls_waiting
        return self.budget_seconds if slack >= reserve else 0.0

    def slack_reserve(self, state: QueueState) -> float | None:
        """The reserve on the slack (idle agents − calls waiting) the state asks for now.

        ``None`` when the state lacks a rate or handle time, or has no agents.
        """
        rate, aht = state.arrival_rate_per_hour, state.aht_seconds
        if rate is None or aht is None or state.agents_staffed == 0:
            return None
        if state.calls_waiting > 0 and state.agents_available == 0:
            rate = max(rate, state.agents_staffed * 3600.0 / aht)  # a queue: arrivals >= capacity
        goal = self.goal(state.service_level_today, self.planned_aim(state, aht))
        return self.reserve(state.agents_staffed, rate, aht, goal)

    def reset(self) -> None:
        """Forget the mode, hysteresis and the day's plan (start of a new simulation run)."""
        super().reset()
        self._plan = None

    def day_aim(self, state: QueueState, aht_seconds: float | None = None) -> float | None:
        """The running level to steer now so that the forecast day ends at target + safety.

        ``None`` without a forecast, without the day's service level and call count, or
        past the forecast's last interval.
        """
        forecast, calls = self.forecast, state.calls_today
        if forecast is None or calls is None or state.service_level_today is None:
            return None
        now = seconds_of_day(state)
        if now >= forecast.end_seconds:
            return None
        aht = aht_seconds or state.aht_seconds or forecast.aht_seconds
        factor = load_factor(forecast, calls, now)
        end = self.target.level + self.safety
        surplus = 0.0
        width = forecast.interval_seconds
        for k in range(forecast.interval_at(now), len(forecast.agents)):
            rate = forecast.calls_per_hour[k] * factor
            agents = forecast.agents[k]
            if rate <= 0 or agents == 0:
                continue
            expected = rate * min(width, (k + 1) * width - now) / 3600.0
            surplus += expected * max(0.0, self._level(agents, rate, aht, 1.0) - end)
        return max(end - _MOST_LOWERED, end - surplus / max(calls, 1))

    def planned_aim(self, state: QueueState, aht: float) -> float | None:
        """The day's aim, re-planned every ``replan_seconds`` (``None``: no forecast)."""
        if self.forecast is None:
            return None
        at = state.at.timestamp()
        plan = self._plan
        if plan is None or not 0 <= at - plan[0] < self.replan_seconds:
            aim = self.day_aim(state, aht)
            if aim is None:
                return None
            plan = self._plan = (at, aim)
        return plan[1]

    def _level(self, agents: int, calls_per_hour: float, aht_seconds: float, share: float) -> float:
        """Erlang A service level if ``share`` of calls carry an offer (cached like the reserve)."""
        key = (agents, _bucket(calls_per_hour), _bucket(aht_seconds), share)
        found = self._levels.get(key)
        if found is None:
            load = Load(calls_per_hour, aht_seconds + share * self.offer_seconds)
            metrics = erlang_a(load, agents, self.target.seconds, self.patience_seconds)
            found = self._levels[key] = metrics.service_level
        return found

    def _reserve(
        self, agents: int, calls_per_hour: float, aht_seconds: float, goal: float
    ) -> float:
        share = self.sell_share(agents, calls_per_hour, aht_seconds, goal)
        if share >= 1.0:
            return -math.inf
        if share <= 0.0:
            return math.inf
        import numpy as np

        load = Load(calls_per_hour, aht_seconds + share * self.offer_seconds)
        immediate, by_wait = queue_distribution_by_wait(load, agents, self.patience_seconds)
        # A caller answered at once in state x leaves slack agents - x - 1; one answered
        # after finding j waiting is taken, by symmetry, to leave about j behind (slack -j).
        at_least = np.cumsum(immediate)  # at_least[x] = P(slack >= agents - x - 1)
        room = share * (at_least[-1] + by_wait.sum())
        fits = np.nonzero(at_least <= room)[0]
        if fits.size < agents:
            return float(agents - fits[-1] - 1) if fits.size else float(agents)
        behind = np.nonzero(np.cumsum(by_wait) <= room - at_least[-1])[0]
        return -float(behind[-1]) if behind.size else 0.0


def load_factor(forecast: DayForecast, calls_today: float, seconds_of_day: float) -> float:
    """The day's calls so far over the forecast's (smoothed, bounded): above 1, a busy day."""
    factor = (calls_today + _PRIOR_CALLS) / (forecast.calls_by(seconds_of_day) + _PRIOR_CALLS)
    return min(_FACTOR_BOUNDS[1], max(_FACTOR_BOUNDS[0], factor))


def load_noise(forecast: DayForecast, seconds_of_day: float) -> float:
    """Standard deviation of :func:`load_factor` on a day exactly as forecast (Poisson calls).

    √E / (E + prior) for E forecast calls so far: large early in the day and in a small
    center, where a few calls more than forecast are noise, not a busy day.
    """
    expected = forecast.calls_by(seconds_of_day)
    return math.sqrt(expected) / (expected + _PRIOR_CALLS)


def seconds_of_day(state: QueueState) -> float:
    """Seconds since midnight of the state's clock (in its own time zone)."""
    at = state.at
    return at.hour * 3600.0 + at.minute * 60.0 + at.second + at.microsecond / 1e6


def _bucket(value: float) -> int:
    """Round to a 5% grid on the log scale (cache key)."""
    return round(math.log(max(value, 1e-9)) / 0.05)
