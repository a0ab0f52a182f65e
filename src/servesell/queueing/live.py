"""The live state of one queue: ACD snapshots completed with estimated rate and handle time.

Feed it arrivals and finished calls as they happen; :meth:`LiveQueue.snapshot` returns
the ACD's :class:`~servesell.domain.QueueState` with ``arrival_rate_per_hour`` and
``aht_seconds`` filled in from recent calls when the feed left them out.

>>> import datetime as dt
>>> t0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
>>> live = LiveQueue(prior_calls_per_hour=600, prior_aht_seconds=180)
>>> live.call_handled(t0, 200.0)
>>> state = QueueState(at=t0, calls_waiting=2, agents_staffed=30, agents_available=0)
>>> filled = live.snapshot(state)
>>> round(filled.arrival_rate_per_hour), round(filled.aht_seconds, 1)
(600, 180.1)
"""

from __future__ import annotations

import datetime as dt

from servesell.domain.queue import QueueState
from servesell.queueing.estimator import HandleTimeEstimator, RateEstimator


class LiveQueue:
    """Estimators of one queue's load, fed from call events, that complete snapshots."""

    def __init__(
        self,
        *,
        tau_seconds: float = 900.0,
        aht_window: int = 200,
        prior_calls_per_hour: float | None = None,
        prior_aht_seconds: float | None = None,
        horizon_seconds: float = 0.0,
    ) -> None:
        self.rates = RateEstimator(tau_seconds, prior_calls_per_hour)
        self.handle_times = HandleTimeEstimator(aht_window, prior_aht_seconds)
        self.horizon_seconds = horizon_seconds
        self._epoch: dt.datetime | None = None

    def call_arrived(self, at: dt.datetime) -> None:
        """Record one inbound call offered to the queue at ``at``."""
        self.rates.observe(self._seconds(at))

    def call_handled(self, at: dt.datetime, handle_seconds: float) -> None:
        """Record one finished call and its talk-plus-wrap-up seconds."""
        self._seconds(at)
        self.handle_times.observe(handle_seconds)

    def snapshot(self, state: QueueState) -> QueueState:
        """``state`` with the arrival rate (forecast ``horizon_seconds`` ahead) and AHT filled."""
        updates: dict[str, float] = {}
        if state.arrival_rate_per_hour is None:
            now = self._seconds(state.at)
            updates["arrival_rate_per_hour"] = self.rates.forecast_per_hour(
                now, self.horizon_seconds
            )
        if state.aht_seconds is None and self.handle_times.seconds:
            updates["aht_seconds"] = self.handle_times.seconds
        return state.model_copy(update=updates) if updates else state

    def _seconds(self, at: dt.datetime) -> float:
        if self._epoch is None:
            self._epoch = at
        return (at - self._epoch).total_seconds()
