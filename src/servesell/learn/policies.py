"""Logged decisions as off-policy data, and the target policies servesell can evaluate.

A decision's in-call candidates (shown or not selected) are the actions; their logged
``probability`` is the logging policy's ``π₀``. The reward of a shown offer is its value
when accepted (``reward="value"``) or 1 (``reward="accept"``), else 0 — a skipped offer
(``not_offered``) earns nothing. The default reward model for doubly robust estimates is
the logged propensity (× value).

Target policies here choose one offer per decision among the actions the logging policy
could take (``π₀ > 0``), deterministically: :func:`greedy` by logged priority,
:func:`by_score` by any score, or :func:`uniform` at random.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from servesell.domain.decision import Candidate, Decision, Fate, OutcomeResult
from servesell.domain.offer import Channel
from servesell.learn.ope import LoggedChoice

if TYPE_CHECKING:
    from servesell.learn.ope import TargetPolicy

REWARDS = ("value", "accept")


def logged_choice(
    decision: Decision,
    results: Mapping[tuple[str, Channel], OutcomeResult],
    *,
    reward: str = "value",
) -> LoggedChoice | None:
    """The decision as OPE data, or ``None`` when it had no in-call candidate."""
    if reward not in REWARDS:
        raise ValueError(f"reward must be one of {', '.join(REWARDS)}, got {reward!r}")
    actions = [c for c in decision.candidates if _in_call(c)]
    if not actions:
        return None
    shown = tuple(i for i, c in enumerate(actions) if c.fate is Fate.SHOWN)
    rewards = tuple(
        _reward(actions[i], results.get((actions[i].offer_id, Channel.IN_CALL)), reward)
        for i in shown
    )
    scale = [c.scores.value if reward == "value" else 1.0 for c in actions]
    return LoggedChoice(
        actions=tuple(c.offer_id for c in actions),
        logging=tuple(c.probability for c in actions),
        shown=shown,
        rewards=rewards,
        q_hat=tuple(c.scores.propensity * s for c, s in zip(actions, scale, strict=True)),
        context=(decision, tuple(actions)),
    )


def greedy(choice: LoggedChoice) -> Sequence[float]:
    """Show the candidate with the highest logged priority (no exploration)."""
    return by_score(lambda _decision, c: c.scores.priority)(choice)


def uniform(choice: LoggedChoice) -> list[float]:
    """Show one candidate uniformly at random among those the log supports."""
    support = [p > 0 for p in choice.logging]
    n = sum(support)
    return [1.0 / n if s else 0.0 for s in support] if n else [0.0] * len(support)


def by_score(score: Callable[[Decision, Candidate], float]) -> TargetPolicy:
    """A policy that shows the supported candidate with the highest ``score``."""

    def policy(choice: LoggedChoice) -> Sequence[float]:
        decision, actions = choice.context
        best, best_score = None, float("-inf")
        for i, (candidate, p0) in enumerate(zip(actions, choice.logging, strict=True)):
            value = score(decision, candidate)
            if p0 > 0 and (value, candidate.offer_id) > (best_score, _id(actions, best)):
                best, best_score = i, value
        return [1.0 if i == best else 0.0 for i in range(len(actions))]

    return policy


def _id(actions: Sequence[Candidate], index: int | None) -> str:
    return "" if index is None else actions[index].offer_id


def _in_call(c: Candidate) -> bool:
    return c.channel is Channel.IN_CALL and c.fate in (Fate.SHOWN, Fate.NOT_SELECTED)


def _reward(candidate: Candidate, result: OutcomeResult | None, reward: str) -> float:
    if result is not OutcomeResult.ACCEPTED:
        return 0.0
    return candidate.scores.value if reward == "value" else 1.0
