"""What a dialer's disposition does to a task: done, retried later, closed, or a callback.

Retry rules are per disposition (how many attempts in all, how long to wait before the
next one). A refusal closes the task and puts the number on the do-not-call list; a
wrong number closes it; a requested callback becomes an owned callback task.

>>> rules = RetryRules()
>>> at = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
>>> after(Disposition.NO_ANSWER, attempts=1, at=at, rules=rules).next_attempt_at.hour
13
>>> after(Disposition.NO_ANSWER, attempts=3, at=at, rules=rules).reason
'attempts_used_up'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from servesell.journeys.schedule import TaskStatus
from servesell.journeys.spec import RetryRules


class Disposition(StrEnum):
    """What happened on one outbound attempt."""

    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    REFUSED = "refused"
    CALLBACK = "callback"

    @property
    def connected(self) -> bool:
        """Whether a person was reached (it counts against the shared contact caps)."""
        return self in (Disposition.ANSWERED, Disposition.REFUSED, Disposition.CALLBACK)


@dataclass(frozen=True, slots=True)
class Next:
    """What becomes of the task after an attempt."""

    status: TaskStatus
    reason: str | None = None
    next_attempt_at: dt.datetime | None = None
    do_not_call: bool = False
    callback_at: dt.datetime | None = None


def after(
    disposition: Disposition,
    *,
    attempts: int,
    at: dt.datetime,
    rules: RetryRules,
    callback_at: dt.datetime | None = None,
) -> Next:
    """The task's next state after its ``attempts``-th attempt ended in ``disposition``."""
    if disposition is Disposition.ANSWERED:
        return Next(TaskStatus.DONE, "answered")
    if disposition is Disposition.REFUSED:
        return Next(TaskStatus.CLOSED, "refused", do_not_call=True)
    if disposition is Disposition.WRONG_NUMBER:
        return Next(TaskStatus.CLOSED, "wrong_number")
    if disposition is Disposition.CALLBACK:
        return Next(TaskStatus.DONE, "callback_requested", callback_at=callback_at or at)
    retry = rules.no_answer if disposition is Disposition.NO_ANSWER else rules.busy
    if attempts >= retry.attempts:
        return Next(TaskStatus.CLOSED, "attempts_used_up")
    wait = dt.timedelta(hours=retry.spacing_hours)
    return Next(TaskStatus.OPEN, disposition.value, next_attempt_at=at + wait)
