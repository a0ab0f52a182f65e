"""Arbitration: which in-call offers to flag, within the time budget, and with what probability.

The greedy choice fills up to ``k`` slots in priority order with offers whose extra talk
time still fits the budget the load gate allows. A configurable share of decisions
explores. With ``epsilon_greedy`` the first slot is drawn uniformly from the offers that
fit and the rest filled greedily, so every offer's probability of being shown is exact:
``P(c) = (1 - ε)·[c in greedy] + ε/|F|·Σ_f [c in fill(f first)]``. With ``thompson`` the
exploring decision ranks by priorities drawn from the model's posterior and the shown
probabilities are estimated from ``draws`` further posterior samples (documented as an
estimate). For ``k = 1`` the probabilities of the candidates sum to 1 whenever one fits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.decide.reasons import Selection

if TYPE_CHECKING:
    import random


@dataclass(frozen=True, slots=True)
class Contender:
    """An allowed in-call candidate: its id, priority and extra talk seconds."""

    offer_id: str
    priority: float
    seconds: float


@dataclass(frozen=True, slots=True)
class Verdict:
    """Arbitration's result for one contender."""

    shown: bool
    reason: str
    probability: float
    rank: int


Sampler = Callable[[], Sequence[float]]
"""Returns one posterior draw of every contender's priority, in contender order."""


def arbitrate(
    contenders: Sequence[Contender],
    *,
    budget: float,
    k: int,
    explore_share: float,
    rng: random.Random,
    sampler: Sampler | None = None,
    draws: int = 200,
) -> tuple[dict[str, Verdict], bool]:
    """Verdict per offer id, and whether this decision explored."""
    order = sorted(contenders, key=lambda c: (-c.priority, c.offer_id))
    rank = {c.offer_id: i + 1 for i, c in enumerate(order)}
    if budget <= 0 or k <= 0:
        verdicts = {
            c.offer_id: Verdict(False, Selection.GATE_CLOSED, 0.0, rank[c.offer_id]) for c in order
        }
        return verdicts, False
    feasible = [c for c in order if c.seconds <= budget]
    greedy = _fill(order, budget, k)
    explored = bool(feasible) and rng.random() < explore_share
    if sampler is None:
        chosen = _fill(order, budget, k, first=rng.choice(feasible)) if explored else greedy
        marginal = _epsilon_marginals(
            order, feasible=feasible, greedy=greedy, budget=budget, k=k, share=explore_share
        )
    else:
        chosen = _fill(_by_draw(order, sampler()), budget, k) if explored else greedy
        marginal = _thompson_marginals(
            order,
            greedy=greedy,
            budget=budget,
            k=k,
            share=explore_share,
            sampler=sampler,
            draws=draws,
        )
    verdicts = {
        c.offer_id: Verdict(
            c.offer_id in chosen,
            _reason(c, chosen, greedy, explored, budget),
            marginal[c.offer_id],
            rank[c.offer_id],
        )
        for c in order
    }
    return verdicts, explored


def _fill(
    order: Sequence[Contender], budget: float, k: int, *, first: Contender | None = None
) -> set[str]:
    """Up to ``k`` offers in ``order`` that fit ``budget``; ``first`` (one that fits) leads.

    ``first`` is what ``[first, *order]`` would give, without copying the list: the
    exploring fill and every term of the epsilon marginals start with one fitting offer.
    """
    chosen: set[str] = set()
    left = budget
    if first is not None and k > 0 and first.seconds <= left:
        chosen.add(first.offer_id)
        left -= first.seconds
    for c in order:
        if len(chosen) == k:
            break
        if c.offer_id not in chosen and c.seconds <= left:
            chosen.add(c.offer_id)
            left -= c.seconds
    return chosen


def _by_draw(order: Sequence[Contender], draw: Sequence[float]) -> list[Contender]:
    paired = sorted(zip(draw, order, strict=True), key=lambda p: (-p[0], p[1].offer_id))
    return [c for _, c in paired]


def _epsilon_marginals(
    order: Sequence[Contender],
    *,
    feasible: Sequence[Contender],
    greedy: set[str],
    budget: float,
    k: int,
    share: float,
) -> dict[str, float]:
    explore_hits = {c.offer_id: 0 for c in order}
    if k == 1:  # the offer drawn first fills the only slot: no fill to simulate
        for first in feasible:
            explore_hits[first.offer_id] += 1
    else:
        for first in feasible:
            for offer_id in _fill(order, budget, k, first=first):
                explore_hits[offer_id] += 1
    n = len(feasible)
    explore = share if n else 0.0
    return {
        c.offer_id: (1 - explore) * (c.offer_id in greedy)
        + (explore * explore_hits[c.offer_id] / n if n else 0.0)
        for c in order
    }


def _thompson_marginals(
    order: Sequence[Contender],
    *,
    greedy: set[str],
    budget: float,
    k: int,
    share: float,
    sampler: Sampler,
    draws: int,
) -> dict[str, float]:
    hits = {c.offer_id: 0 for c in order}
    for _ in range(draws):
        for offer_id in _fill(_by_draw(order, sampler()), budget, k):
            hits[offer_id] += 1
    return {
        c.offer_id: (1 - share) * (c.offer_id in greedy) + share * hits[c.offer_id] / draws
        for c in order
    }


def _reason(c: Contender, chosen: set[str], greedy: set[str], explored: bool, budget: float) -> str:
    if c.offer_id in chosen:
        return Selection.EXPLORED if explored and c.offer_id not in greedy else Selection.BEST
    if c.seconds > budget:
        return Selection.OVER_BUDGET
    return Selection.OUTRANKED
