from __future__ import annotations

import numpy as np
import pytest

from servesell.queueing import HandleTimeEstimator, RateEstimator


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
