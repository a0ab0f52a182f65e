"""Recently verified credentials of one worker, so a request does not re-read its user.

Bearer tokens (API) and session users (web) share one cache: revoking a user in this worker
clears it, and any other worker stops trusting the old entry within ``ttl`` seconds.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from servesell.store.users import User


class TokenCache:
    """Recently verified bearer tokens of this worker, each trusted for ``ttl`` seconds.

    >>> from servesell.store.users import Role, User
    >>> cache = TokenCache(ttl=5.0)
    >>> cache.put("t", User("ana", Role.AGENT))
    >>> cache.get("t").name, cache.get("other")
    ('ana', None)
    """

    def __init__(self, ttl: float = 5.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._seen: dict[str, tuple[float, User]] = {}

    def get(self, token: str) -> User | None:
        """The user behind ``token`` if it was verified less than ``ttl`` seconds ago."""
        hit = self._seen.get(token)
        if hit is None or time.monotonic() - hit[0] > self.ttl:
            return None
        return hit[1]

    def clear(self) -> None:
        """Forget every token (after a revocation in this worker)."""
        self._seen.clear()

    def put(self, token: str, user: User) -> None:
        """Remember a verified token (forgetting everything when full)."""
        if len(self._seen) >= self.size:
            self._seen.clear()
        self._seen[token] = (time.monotonic(), user)
