"""Erlang A (M/M/n+M, Palm; Garnett, Mandelbaum and Reiman 2002): queues where callers hang up.

Waiting callers abandon after an exponential patience with mean ``patience_seconds``.
The stationary law of the birth-death chain is computed relative to the state "all
agents busy, nobody waiting": the states below it through Erlang B, the queue states as
products of λ / (nμ + jθ), all in log space, so overloaded queues and thousands of agents
neither overflow nor underflow.

The service level uses the tagged-caller argument: a caller who finds ``j`` others
waiting leaves each position at total rate nμ + (i+1)θ, moving up with probability
(nμ + iθ)/(nμ + (i+1)θ), so they are answered at all with probability nμ / (nμ + (j+1)θ)
(the product telescopes), and their answer time is a sum of exponentials with rates
nμ + θ, …, nμ + (j+1)θ whose distribution function is the regularised incomplete beta
I_p(j + 1, nμ/θ + 1) with p = 1 − exp(−θT) (an order statistic of exponentials).

>>> m = erlang_a(Load(200, 180), agents=14, target_seconds=20, patience_seconds=300)
>>> round(m.p_wait, 5), round(m.abandon_share, 6), round(m.service_level, 6)
(0.14526, 0.013984, 0.916792)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from servesell.queueing.erlang import erlang_b
from servesell.queueing.load import Load, require_agents, require_patience
from servesell.queueing.metrics import QueueMetrics

if TYPE_CHECKING:
    import numpy as np

# numpy and scipy are imported by the functions that use them: importing the queueing
# package (every API worker and CLI command does) must not load them (issue 15).

_TAIL = 60.0
"""Queue states are summed until their weight is e^-60 below the largest one."""


def erlang_a(
    load: Load, agents: int, target_seconds: float, patience_seconds: float
) -> QueueMetrics:
    """Erlang A metrics for ``agents`` agents, ``load`` and mean patience ``patience_seconds``.

    Stable at any load: abandonment keeps the queue finite even when A ≥ n.
    """
    require_agents(agents)
    require_patience(patience_seconds)
    if target_seconds < 0:
        raise ValueError(f"target_seconds must be >= 0, got {target_seconds!r}")
    blocking = erlang_b(agents, load.erlangs)
    if blocking == 0.0:  # no load, or so little that nobody ever waits
        return QueueMetrics(agents, 0.0, 0.0, 1.0, load.erlangs / agents, 0.0)
    import numpy as np
    from scipy.special import betainc

    lam = load.arrivals_per_second
    drain = agents / load.aht_seconds
    theta = 1.0 / patience_seconds
    log_terms = _queue_log_weights(lam, drain, theta)
    log_immediate = math.log1p(-blocking) - math.log(blocking)
    log_norm = _log_sum_exp(np.append(log_terms, log_immediate))
    queue_probs = np.exp(log_terms - log_norm)
    ahead = np.arange(queue_probs.size, dtype=float)
    mean_queue = float(ahead @ queue_probs)
    abandon = theta * mean_queue / lam
    answered = drain / (drain + (ahead + 1.0) * theta)
    on_time = betainc(ahead + 1.0, drain / theta + 1.0, -math.expm1(-theta * target_seconds))
    service_level = math.exp(log_immediate - log_norm) + float(queue_probs @ (answered * on_time))
    return QueueMetrics(
        agents=agents,
        p_wait=min(1.0, float(queue_probs.sum())),
        asa_seconds=mean_queue / lam,
        service_level=min(1.0, service_level),
        occupancy=min(1.0, lam * (1.0 - abandon) * load.aht_seconds / agents),
        abandon_share=abandon,
    )


def _log_sum_exp(log_terms: np.ndarray) -> float:
    """``log(sum(exp(log_terms)))`` without overflow.

    Written out rather than scipy's ``logsumexp``, whose argument checks cost several
    times the sum at these sizes (the load gate calls this thousands of times a
    simulated day).
    """
    import numpy as np

    top = float(log_terms.max())
    return top + math.log(float(np.exp(log_terms - top).sum()))


def _queue_log_weights(lam: float, drain: float, theta: float) -> np.ndarray:
    """Log of π(n + j) / π(n) for j = 0, 1, …, as far as the weights matter."""
    import numpy as np

    peak = max(0.0, (lam - drain) / theta)
    size = int(peak + 12.0 * math.sqrt(lam / theta + 1.0)) + 64
    while True:
        j = np.arange(1, size, dtype=float)
        log_terms = np.concatenate(([0.0], np.cumsum(np.log(lam / (drain + j * theta)))))
        if log_terms[-1] < log_terms.max() - _TAIL:
            return log_terms
        size *= 2


def queue_distribution(
    load: Load, agents: int, patience_seconds: float
) -> tuple[np.ndarray, float]:
    """What arriving callers find: P(x in system) for x < agents, and P(answered after waiting).

    The first array is the chance of an immediate answer by each state found; the
    float is the chance of waiting and still being answered (the rest abandon).
    """
    immediate, by_wait = queue_distribution_by_wait(load, agents, patience_seconds)
    return immediate, float(by_wait.sum())


def queue_distribution_by_wait(
    load: Load, agents: int, patience_seconds: float
) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`queue_distribution`, the waiting callers split by how many were ahead.

    The second array's ``j``-th entry is the chance of finding ``j`` callers waiting
    and still being answered.
    """
    import numpy as np
    from scipy.special import gammaln

    require_agents(agents)
    require_patience(patience_seconds)
    erlangs = load.erlangs
    x = np.arange(agents + 1, dtype=float)
    if erlangs == 0:
        return np.eye(1, agents)[0], np.zeros(1)
    log_low = gammaln(agents + 1.0) - gammaln(x + 1.0) - (agents - x) * math.log(erlangs)
    lam, drain = load.arrivals_per_second, agents / load.aht_seconds
    theta = 1.0 / patience_seconds
    log_terms = _queue_log_weights(lam, drain, theta)
    log_norm = _log_sum_exp(np.concatenate((log_low[:-1], log_terms)))
    queued = np.exp(log_terms - log_norm)
    ahead = np.arange(queued.size, dtype=float)
    answered = queued * (drain / (drain + (ahead + 1.0) * theta))
    return np.exp(log_low[:-1] - log_norm), answered
