"""The T+N funnel of referral offers: intent → booked → contacted → completed within N days.

seeds/000 ("天+地"): the phone qualifies the customer's intent and a specialist team closes
the deal; customers are lost between the touch and the deal. Each step counts the
customers who reached it and the drop-off from the step before, and the same figures are
grouped by the agent who booked, the offer and the specialist who worked it.

>>> steps = funnel_steps(intent=20, booked=16, contacted=12, completed=6)
>>> [(s.step, s.count, round(s.share_of_previous or 0, 2)) for s in steps]
[('intent', 20, 1.0), ('booked', 16, 0.8), ('contacted', 12, 0.75), ('completed', 6, 0.5)]
>>> steps[-1].dropped
6
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.domain.handover import HandoverStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from servesell.domain.handover import Handover

STEPS = ("intent", "booked", "contacted", "completed")


@dataclass(frozen=True, slots=True)
class FunnelStep:
    """One step: how many reached it, how many of the previous step were lost, what share."""

    step: str
    count: int
    dropped: int
    share_of_previous: float | None
    """``count / previous count`` (1 for the first step, ``None`` when the previous is 0:
    no share can be told, and JSON has no NaN)."""


def funnel_steps(*, intent: int, booked: int, contacted: int, completed: int) -> list[FunnelStep]:
    """The funnel from its four counts (see the module docstring)."""
    counts = (intent, booked, contacted, completed)
    out = []
    for i, (step, count) in enumerate(zip(STEPS, counts, strict=True)):
        before = counts[i - 1] if i else count
        share = count / before if before else (1.0 if i == 0 else None)
        out.append(FunnelStep(step, count, before - count, share))
    return out


@dataclass(frozen=True, slots=True)
class Funnel:
    """A funnel, overall or of one agent, offer or specialist, with its overdue hand-overs."""

    key: str
    steps: tuple[FunnelStep, ...]
    overdue: int

    @property
    def completion_rate(self) -> float | None:
        """Completed within N days per intent (``None`` without intents)."""
        first, last = self.steps[0].count, self.steps[-1].count
        return last / first if first else None


def funnel_of(
    key: str,
    intents: int,
    handovers: Iterable[Handover],
    completion_days: Mapping[str, float],
    *,
    now: dt.datetime,
    overdue_after: dt.timedelta,
) -> Funnel:
    """The funnel of ``intents`` yeses and the hand-overs booked from them.

    A hand-over counts as completed only within its offer's ``completion_days`` (the N of
    T+N, default 14); one still open past its slot by more than ``overdue_after`` is overdue.
    """
    booked = list(handovers)
    contacted = sum(
        h.contacted_at is not None or h.status is HandoverStatus.COMPLETED for h in booked
    )
    completed = sum(h.completed_within(completion_days.get(h.offer_id, 14.0)) for h in booked)
    steps = funnel_steps(
        intent=max(intents, len(booked)),
        booked=len(booked),
        contacted=contacted,
        completed=completed,
    )
    late = sum(is_overdue(h, now=now, overdue_after=overdue_after) for h in booked)
    return Funnel(key, tuple(steps), late)


def is_overdue(h: Handover, *, now: dt.datetime, overdue_after: dt.timedelta) -> bool:
    """Whether a hand-over is still open ``overdue_after`` past its booked slot."""
    return not h.status.is_final and now - h.slot_at > overdue_after


def funnels_by(
    by: Callable[[Handover], str | None],
    intents: Mapping[str, int],
    handovers: Iterable[Handover],
    completion_days: Mapping[str, float],
    *,
    now: dt.datetime,
    overdue_after: dt.timedelta,
) -> list[Funnel]:
    """One funnel per key (agent, offer or specialist), keys sorted; no key → ``—``."""
    groups: dict[str, list[Handover]] = {k: [] for k in intents}
    for h in handovers:
        groups.setdefault(by(h) or "—", []).append(h)
    out = []
    for k in sorted(groups):
        out.append(
            funnel_of(
                k,
                intents.get(k, 0),
                groups[k],
                completion_days,
                now=now,
                overdue_after=overdue_after,
            )
        )
    return out
