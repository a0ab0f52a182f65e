from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from servesell.domain import QueueState
from servesell.queueing import HandleTimeEstimator, LiveQueue, RateEstimator

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def test_rate_estimate_of_a_steady_poisson_stream_is_close_to_its_rate() -> None:
    rng = np.random.default_rng(3)
    times = np.cumsum(rng.exponential(3600 / 720, size=2000))
    rates = RateEstimator(tau_seconds=900)
    for t in times:
        rates.observe(float(t))
    assert rates.per_hour(float(times[-1])) == pytest.approx(720, rel=0.15)


def test_forecast_leads_a_rising_rate() -> None:
    rates = RateEstimator(tau_seconds=600, prior_per_hour=0)
    t, rate = 0.0, 100.0
    while t < 3600:
        t += 3600 / rate
        rate += 3600 / rate * 0.5  # rising by 1,800 calls per hour every hour
        rates.observe(t)
    assert rates.forecast_per_hour(t, 600) > rates.per_hour(t)


def test_handle_time_is_the_plain_mean_before_the_window_fills() -> None:
    handles = HandleTimeEstimator(window=10)
    for seconds in (100.0, 200.0, 300.0):
        handles.observe(seconds)
    assert handles.seconds == pytest.approx(200.0)


def test_snapshot_keeps_what_the_feed_gave_and_fills_the_rest() -> None:
    live = LiveQueue(prior_calls_per_hour=600, prior_aht_seconds=180)
    given = QueueState(
        at=T0, calls_waiting=1, agents_staffed=9, agents_available=0, aht_seconds=150.0
    )
    filled = live.snapshot(given)
    assert filled.aht_seconds == 150.0
    assert filled.arrival_rate_per_hour == pytest.approx(600)
    live.call_arrived(T0)
    assert (
        live.snapshot(
            given.model_copy(update={"arrival_rate_per_hour": 42.0})
        ).arrival_rate_per_hour
        == 42.0
    )
