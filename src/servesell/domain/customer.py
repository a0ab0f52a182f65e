"""A customer as the decision engine sees them: declared profile, holdings and flags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from servesell.domain.offer import Channel
from servesell.domain.schema import Value


@dataclass(frozen=True, slots=True)
class Customer:
    """One customer of the center.

    ``attributes`` holds the declared profile fields (see :class:`ProfileSchema`);
    ``holdings`` the product codes the customer already has. The flags are servesell's
    own because contact policy depends on them everywhere: marketing must never reach a
    do-not-market, blacklisted or (unless an offer allows it) VIP customer, nor one with
    an open complaint.
    """

    id: str
    attributes: Mapping[str, Value] = field(default_factory=dict)
    holdings: frozenset[str] = frozenset()
    do_not_market: bool = False
    blacklisted: bool = False
    vip: bool = False
    open_complaint: bool = False
    phone: str | None = None
    email: str | None = None
    wechat_openid: str | None = None
    opted_out: frozenset[Channel] = frozenset()
    """Digital channels the customer asked to stop (an opt-out link or a reply "T")."""

    def __post_init__(self) -> None:
        if not self.id or not self.id.strip():
            raise ValueError("customer id must not be empty")

    def holds(self, product: str) -> bool:
        """Whether the customer already holds ``product``."""
        return product in self.holdings
