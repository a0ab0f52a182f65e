"""Who calls when, why and for how long: all of a run's randomness, drawn up front with numpy.

Arrivals are a non-homogeneous Poisson process with a piecewise-constant rate (a
Poisson count per interval, uniform times within it); handle times lognormal (Brown et
al. 2005) or exponential; patience exponential; each call's customer (uniform over the
population), its reason (the scenario's mix) and the uniforms that decide the caller's
answers (accepting an offer, a message, a diversion). Drawing everything before the
event loop keeps the loop tight and makes a run a pure function of ``(scenario, seed)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from servesell.sim.scenario import Scenario


@dataclass(frozen=True, slots=True)
class Calls:
    """Per-call arrays, in arrival order."""

    arrival: np.ndarray
    handle: np.ndarray
    patience: np.ndarray
    customer: np.ndarray
    """Index of the caller in the population."""
    reason: np.ndarray
    """Index of the call reason in the scenario's mix."""
    answers: np.ndarray
    """Three uniforms per call: the in-call answer, the message's, taking a diversion."""

    def __len__(self) -> int:
        return int(self.arrival.size)


def draw_calls(scenario: Scenario, *, seed: int, customers: int = 1) -> Calls:
    """Every call of ``scenario`` over all its days; the same seed gives the same calls."""
    rng = np.random.default_rng(seed)
    arrival = poisson_arrivals(rng, scenario)
    n = arrival.size
    if scenario.handle_times == "exponential":
        handle = rng.exponential(scenario.aht_mean_seconds, size=n)
    else:
        mu, sigma = scenario.lognormal
        handle = rng.lognormal(mu, sigma, size=n)
    if scenario.patience_seconds is None:
        patience = np.full(n, np.inf)
    else:
        patience = rng.exponential(scenario.patience_seconds, size=n)
    who = rng.integers(0, max(customers, 1), size=n)
    shares = np.array([share for _, share in scenario.reasons])
    why = rng.choice(shares.size, size=n, p=shares / shares.sum())
    return Calls(arrival, handle, patience, who, why, rng.random((n, 3)))


def poisson_arrivals(rng: np.random.Generator, scenario: Scenario) -> np.ndarray:
    """Sorted arrival times in seconds from the start of day one."""
    width = scenario.interval_seconds
    rates = np.tile(np.asarray(scenario.calls_per_hour, dtype=float), scenario.days)
    counts = rng.poisson(rates * width / 3600.0)
    starts = np.repeat(np.arange(rates.size) * width, counts)
    return np.sort(starts + rng.uniform(0.0, width, size=starts.size))
