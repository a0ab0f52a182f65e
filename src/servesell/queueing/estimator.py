"""Estimate the arrival rate and handle time from recent calls, with exponential smoothing.

ACD feeds often report calls waiting and agent states but not the rate of arrivals or
the current handle time; the load gate needs both. :class:`RateEstimator` smooths the
arrival stream twice (Brown's double exponential smoothing in continuous time) so it
can also forecast the rate a few minutes ahead while the morning ramp is still climbing;
:class:`HandleTimeEstimator` is a running mean that turns into an exponentially weighted
one after ``window`` calls.

>>> rates = RateEstimator(tau_seconds=600, prior_per_hour=360)
>>> for k in range(60):
...     rates.observe(k * 10.0)
>>> abs(rates.per_hour(600.0) - 360) < 5
True
"""

from __future__ import annotations

import math


class RateEstimator:
    """Arrivals per hour, smoothed with time constant ``tau_seconds``; times are seconds.

    Without a prior the estimate starts at zero and is divided by the smoothing's step
    response, so the first minutes are unbiased rather than low.
    """

    def __init__(self, tau_seconds: float = 900.0, prior_per_hour: float | None = None) -> None:
        if not tau_seconds > 0:
            raise ValueError(f"tau_seconds must be > 0, got {tau_seconds!r}")
        if prior_per_hour is not None and prior_per_hour < 0:
            raise ValueError(f"prior_per_hour must be >= 0, got {prior_per_hour!r}")
        self.tau = float(tau_seconds)
        self._prior = prior_per_hour is not None
        start = (prior_per_hour or 0.0) / 3600.0
        self._first: float | None = None
        self._at = 0.0
        self._once = start
        self._twice = start

    def observe(self, at: float) -> None:
        """Count one arrival at time ``at`` (seconds, non-decreasing)."""
        self._advance(at)
        self._once += 1.0 / self.tau

    def per_hour(self, at: float) -> float:
        """Smoothed arrival rate at ``at`` (lags a rising rate by about ``tau``)."""
        once, _ = self._state(at)
        return once * 3600.0

    def forecast_per_hour(self, at: float, horizon_seconds: float) -> float:
        """Rate expected ``horizon_seconds`` after ``at``, extrapolating the current trend."""
        once, twice = self._state(at)
        level = 2.0 * once - twice
        slope = (once - twice) / self.tau
        return max(0.0, level + slope * horizon_seconds) * 3600.0

    def _advance(self, at: float) -> None:
        if self._first is None:
            self._first = self._at = at
        self._once, self._twice = self._decayed(at)
        self._at = at

    def _decayed(self, at: float) -> tuple[float, float]:
        x = max(0.0, at - self._at) / self.tau
        fade = math.exp(-x)
        return self._once * fade, (self._twice + self._once * x) * fade

    def _state(self, at: float) -> tuple[float, float]:
        once, twice = self._decayed(at)
        if self._prior or self._first is None:
            return once, twice
        x = max(at - self._first, 1e-9) / self.tau
        return once / -math.expm1(-x), twice / max(1e-12, 1.0 - math.exp(-x) * (1.0 + x))


class HandleTimeEstimator:
    """Average handle time of recent calls: exact mean at first, then an EWMA of ``window``."""

    def __init__(self, window: int = 200, prior_seconds: float | None = None) -> None:
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window!r}")
        if prior_seconds is not None and not prior_seconds > 0:
            raise ValueError(f"prior_seconds must be > 0, got {prior_seconds!r}")
        self.window = window
        self._mean = prior_seconds
        self._count = 0 if prior_seconds is None else window

    def observe(self, handle_seconds: float) -> None:
        """Add the handle time of one finished call."""
        if not handle_seconds >= 0:
            raise ValueError(f"handle_seconds must be >= 0, got {handle_seconds!r}")
        self._count = min(self._count + 1, self.window)
        mean = self._mean or 0.0
        self._mean = mean + (handle_seconds - mean) / self._count

    @property
    def seconds(self) -> float | None:
        """The current estimate, ``None`` before the first call."""
        return self._mean
