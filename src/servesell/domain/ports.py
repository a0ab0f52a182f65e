"""The two plug points of the decision engine: where propensities and time budgets come from.

The engine depends only on these protocols. ``learn/`` provides propensity models and
``queueing/`` provides load gates; tests and the demo can pass the simple ones here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import random

    from servesell.domain.center import CallContext
    from servesell.domain.customer import Customer
    from servesell.domain.decision import Mode
    from servesell.domain.offer import Channel, Offer
    from servesell.domain.queue import QueueState


@runtime_checkable
class PropensityModel(Protocol):
    """Estimates the probability that ``customer`` accepts ``offer`` in this context."""

    def propensity(self, offer: Offer, customer: Customer, context: CallContext) -> float:
        """Point estimate in (0, 1), used for ranking."""
        ...

    def sample(
        self, offer: Offer, customer: Customer, context: CallContext, rng: random.Random
    ) -> float:
        """A draw from the posterior, used when a decision explores."""
        ...


@runtime_checkable
class LoadGate(Protocol):
    """Decides how many extra seconds of talk the queue can afford right now.

    Besides the engine's question, a gate states its mode, its name as a spec, whether
    waiting callers should be diverted, and can forget its hysteresis: what the
    simulator and the queue-mode endpoint read (``servesell.queueing.gate`` implements it).
    """

    @property
    def mode(self) -> Mode:
        """``sell`` while the gate is open, else ``serve``."""
        ...

    @property
    def spec(self) -> str:
        """The policy as a spec string (``never``, ``threshold:3``, ``gated``...)."""
        ...

    def allowed_extra_seconds(self, queue_state: QueueState | None) -> float:
        """Seconds of offer talk this call may add; 0 means serve only."""
        ...

    def diverts(self, queue_state: QueueState | None) -> bool:
        """Whether the ACD should offer waiting callers self-service or a callback now."""
        ...

    def reset(self) -> None:
        """Forget the mode and hysteresis (the start of a simulation run)."""
        ...


@runtime_checkable
class ChannelModel(Protocol):
    """A propensity model that also knows take-up per channel (in-call, SMS, e-mail, WeChat)."""

    def channel_propensity(
        self, offer: Offer, channel: Channel, customer: Customer, context: CallContext
    ) -> float:
        """Point estimate in (0, 1) that ``customer`` takes ``offer`` made on ``channel``."""
        ...


@runtime_checkable
class LearningModel(Protocol):
    """A propensity model that learns from each answer as it comes (the adaptive model)."""

    def update(
        self,
        offer: Offer,
        customer: Customer,
        context: CallContext,
        accepted: bool,
        channel: Channel = ...,
    ) -> None:
        """Learn that ``customer`` took ``offer`` made on ``channel``, or did not."""
        ...


@runtime_checkable
class PricedGate(Protocol):
    """A load gate that can price talk time: the queue's shadow cost of one more second."""

    def wait_per_talk_second(self, queue_state: QueueState | None) -> float:
        """Extra seconds of waiting the other callers bear per extra second of talk now."""
        ...


@runtime_checkable
class ValuedGate(Protocol):
    """A load gate that prices talk time per offer: in the call only if it pays enough."""

    def admits(self, queue_state: QueueState | None, value_per_second: float) -> bool:
        """Whether an offer earning ``value_per_second`` (expected margin) may be made now."""
        ...


@runtime_checkable
class Affinity(Protocol):
    """A source of context weights from what the customer already holds (associations)."""

    def affinity(self, customer: Customer, offer: Offer) -> tuple[float, str | None]:
        """The weight for ``offer`` (1 when nothing is known) and the rule behind it."""
        ...
