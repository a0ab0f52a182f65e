"""The server's clock rules: a time a client sends is checked against it, never trusted blindly.

A CTI, an ACD or a survey tool may send when something happened (a decision's ``at``, an
outcome's ``recorded_at``, a queue report's ``at``). Their clocks drift, so a small skew is
tolerated, but the server's clock decides:

* **ahead** of the server by at most ``skew`` (default 5 minutes): taken as the server's
  *now* — a time from the future would otherwise escape the rolling caps (a decision two
  days ahead) or count against every call until then (one dated 2100);
* **behind** by at most ``backdate`` (default 1 hour: a screen pop the CTI held back):
  kept as sent;
* anything else is refused with a :class:`~servesell.errors.ClockError` naming the field,
  the time sent and the server's time (HTTP 422).

Windows that are not a client's clock (a KPI period) only have to be real dates servesell
can compute with: :func:`check_period_bound`.

>>> now = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
>>> rules = ClientClock(skew=dt.timedelta(minutes=5), backdate=dt.timedelta(hours=1))
>>> rules.accept(now + dt.timedelta(minutes=3), field="at", now=now) == now
True
>>> rules.accept(now - dt.timedelta(minutes=3), field="at", now=now).minute
57
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.errors import ClockError

if TYPE_CHECKING:
    from servesell.config import Settings

EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
"""Any time servesell computes with (a KPI period, a stored time) lies in [EARLIEST, LATEST):
far enough from year 1 and 9999 that windows of ten years around it are still dates."""


@dataclass(frozen=True)
class ClientClock:
    """How far a client's clock may be ahead of (``skew``) or behind (``backdate``) ours."""

    skew: dt.timedelta
    backdate: dt.timedelta

    @classmethod
    def of(cls, settings: Settings) -> ClientClock:
        """The tolerance the deployment configured (``SERVESELL_CLOCK_SKEW_SECONDS`` ...)."""
        return cls(
            skew=dt.timedelta(seconds=settings.clock_skew_seconds),
            backdate=dt.timedelta(seconds=settings.backdate_seconds),
        )

    @classmethod
    def for_late_reports(cls, settings: Settings) -> ClientClock:
        """The tolerance for answers that arrive days after the call (a post-call survey).

        Only the future is refused: a survey sent by SMS is answered hours or days later,
        so its time may be any real past date servesell computes with.
        """
        return cls(
            skew=dt.timedelta(seconds=settings.clock_skew_seconds),
            backdate=dt.timedelta(days=365 * 100),
        )

    def accept(
        self, at: dt.datetime | None, *, field: str, now: dt.datetime | None = None
    ) -> dt.datetime:
        """The time to use for a client's ``at``: now when absent or slightly ahead, else ``at``."""
        now = now or dt.datetime.now(dt.UTC)
        if at is None:
            return now
        if at.tzinfo is None:
            raise ClockError("needs a time zone (e.g. 2026-03-02T10:00:00+08:00)", field=field)
        check_period_bound(at, field=field)
        if at > now + self.skew:
            raise ClockError(
                f"{at.isoformat()} is more than {_span(self.skew)} ahead of the server's "
                f"clock ({now.isoformat(timespec='seconds')})",
                field=field,
            )
        if at < now - self.backdate:
            raise ClockError(
                f"{at.isoformat()} is more than {_span(self.backdate)} behind the server's "
                f"clock ({now.isoformat(timespec='seconds')})",
                field=field,
            )
        return min(at, now)


def check_period_bound(value: dt.datetime | None, *, field: str) -> dt.datetime | None:
    """``value`` when it lies in [EARLIEST, LATEST) (an aware time), else a ClockError."""
    if value is None:
        return None
    try:
        inside = EARLIEST <= value < LATEST
    except (OverflowError, TypeError):
        inside = False
    if not inside:
        raise ClockError(
            f"{value.isoformat()} is outside {EARLIEST.year}-{LATEST.year - 1}", field=field
        )
    return value


def _span(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 3600 == 0 and seconds >= 3600:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0 and seconds >= 60:
        return f"{seconds // 60} min"
    return f"{seconds} s"
