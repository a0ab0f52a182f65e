"""When to try a message again after a transient failure: exponential backoff with jitter.

Delays grow as ``base × factor^(attempt-1)``, capped, and are drawn uniformly from the
upper half of that (equal jitter) so workers that failed together do not retry together
while no retry comes sooner than half the nominal delay. The random draw comes from the
caller's seeded :class:`random.Random`.

>>> import random
>>> policy = RetryPolicy(base_seconds=10, factor=2, cap_seconds=60, max_attempts=5)
>>> [round(policy.nominal(a)) for a in (1, 2, 3, 4, 5)]
[10, 20, 40, 60, 60]
>>> 20 <= policy.delay(3, random.Random(1)) <= 40
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import random


class RetryPolicy(BaseModel):
    """How often and how patiently a message is retried before the dead letter."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_seconds: float = Field(default=30.0, gt=0)
    factor: float = Field(default=2.0, ge=1)
    cap_seconds: float = Field(default=3600.0, gt=0)
    max_attempts: int = Field(default=6, ge=1, le=100)
    reconcile_after_seconds: float = Field(default=120.0, ge=0)
    """How long an ``unknown`` message waits for a receipt before the provider is asked."""

    def nominal(self, attempt: int) -> float:
        """The delay before retry number ``attempt`` (1 = after the first failure)."""
        if attempt < 1:
            raise ValueError(f"attempt must be 1 or more, got {attempt}")
        exponent = min(attempt - 1, 64)
        return float(min(self.cap_seconds, self.base_seconds * self.factor**exponent))

    def delay(self, attempt: int, rng: random.Random) -> float:
        """A jittered delay in ``[nominal/2, nominal]`` drawn from ``rng``."""
        nominal = self.nominal(attempt)
        return nominal / 2 + rng.random() * nominal / 2

    def exhausted(self, attempts: int) -> bool:
        """Whether ``attempts`` sends have used up every try."""
        return attempts >= self.max_attempts
