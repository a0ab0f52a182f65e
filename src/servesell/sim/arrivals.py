"""Who calls when and for how long: all of a run's randomness, drawn up front with numpy.

Arrivals are a non-homogeneous Poisson process with a piecewise-constant rate (a
Poisson count per interval, uniform times within it); handle times lognormal; patience
exponential; each call's best eligible offer and the caller's latent propensity to
accept it. Drawing everything before the event loop keeps the loop tight and makes a
run a pure function of ``(scenario, seed)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from servesell.sim.scenario import CrossSell, Scenario


@dataclass(frozen=True, slots=True)
class Calls:
    """Per-call arrays, in arrival order."""

    arrival: np.ndarray
    handle: np.ndarray
    patience: np.ndarray
    offer: np.ndarray
    """Index of the call's best eligible offer, -1 when none."""
    accepts: np.ndarray
    """Whether the caller would say yes if offered (drawn from the latent propensity)."""
    propensity: np.ndarray

    def __len__(self) -> int:
        return int(self.arrival.size)


def draw_calls(scenario: Scenario, *, seed: int) -> Calls:
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
    offer, propensity = _offers(rng, scenario.cross_sell, n)
    accepts = rng.random(n) < propensity
    return Calls(arrival, handle, patience, offer, accepts, propensity)


def poisson_arrivals(rng: np.random.Generator, scenario: Scenario) -> np.ndarray:
    """Sorted arrival times in seconds from the start of day one."""
    width = scenario.interval_seconds
    rates = np.tile(np.asarray(scenario.calls_per_hour, dtype=float), scenario.days)
    counts = rng.poisson(rates * width / 3600.0)
    starts = np.repeat(np.arange(rates.size) * width, counts)
    return np.sort(starts + rng.uniform(0.0, width, size=starts.size))


def _offers(
    rng: np.random.Generator, cross_sell: CrossSell | None, n: int
) -> tuple[np.ndarray, np.ndarray]:
    if cross_sell is None or not cross_sell.offers:
        return np.full(n, -1, dtype=np.int64), np.zeros(n)
    shares = np.array([o.share for o in cross_sell.offers] + [0.0])
    shares[-1] = max(0.0, 1.0 - shares[:-1].sum())
    drawn = rng.choice(shares.size, size=n, p=shares / shares.sum())
    offer = np.where(drawn == shares.size - 1, -1, drawn)
    means = np.array([o.acceptance for o in cross_sell.offers] + [0.5])[drawn]
    k = cross_sell.concentration
    propensity = np.where(offer >= 0, rng.beta(means * k, (1.0 - means) * k), 0.0)
    return offer.astype(np.int64), propensity
