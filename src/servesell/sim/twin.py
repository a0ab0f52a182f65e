"""The digital twin's seller: the production decision engine and contact policy in every call.

Each answered call is a screen pop: the caller (one of the synthetic customers), the
call's reason and the queue state the ACD would report go to a real
:class:`~servesell.decide.Engine` over the real catalog and contact policy, with the
load gate under test as the engine's gate. What the engine flags in the call adds its
extra seconds and sells when the caller's latent propensity says yes (the truth of
:mod:`servesell.synth.truth`, drawn with the call's pre-drawn uniform); what it routes
to a message is taken up with the truth's channel propensity. Every contact is added to
the customer's history, so caps, cool-downs and "recently accepted" evolve as they
would live.

A model that learns (:class:`~servesell.domain.LearningModel`, the adaptive model the
service runs) learns from every answer as the live service would: an in-call yes or no
at once, a message's yes or no when the caller's pre-drawn answer is played (the live
attribution window is shorter than the scenario's day, so the twin does not delay it).
Each run starts from a copy of the world's model, so policies compared on one world
start from the same knowledge. What the contacts cost (talk seconds at the agent's
price, each message at its price: :class:`~servesell.decide.channel.ChannelPrices`) is
kept, so runs compare on value net of cost as well as revenue.

Fast without changing a decision: eligibility depends only on the customer and the
day, and a propensity model that does not learn during the run only on offer, customer
and reason, so both are cached (:class:`DayCatalog`, :class:`FrozenScores`); the
engine itself runs unchanged (``tests/sim/test_twin.py`` checks the decisions equal a
plain engine's on the same inputs).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from servesell.decide.catalog import Catalog
from servesell.decide.channel import ChannelPrices
from servesell.decide.engine import Engine
from servesell.decide.policy import ContactPolicy
from servesell.decide.prior import PriorPropensity
from servesell.domain.center import CallContext
from servesell.domain.decision import Fate, OutcomeResult
from servesell.domain.history import Contact
from servesell.domain.offer import Channel
from servesell.domain.ports import LearningModel

if TYPE_CHECKING:
    import random

    from servesell.decide.catalog import CompiledOffer
    from servesell.domain.customer import Customer
    from servesell.domain.offer import Offer
    from servesell.domain.ports import LoadGate, PropensityModel
    from servesell.domain.queue import QueueState
    from servesell.domain.schema import ProfileSchema
    from servesell.rules import CompiledRule
    from servesell.sim.arrivals import Calls


class Truth(Protocol):
    """The callers' latent take-up (:class:`servesell.synth.LatentPropensity` is one)."""

    def probability(self, offer_id: str, customer: Customer, context: CallContext) -> float:
        """True probability that ``customer`` accepts ``offer_id`` in the call."""
        ...

    def channel_probability(
        self, offer_id: str, channel: str, customer: Customer, context: CallContext
    ) -> float:
        """True probability that ``customer`` takes ``offer_id`` sent on ``channel``."""
        ...


@dataclass(frozen=True, slots=True)
class World:
    """What the twin sells from and to: catalog, policy, model, customers and their truth.

    ``model`` learns during each run when it is a :class:`~servesell.domain.LearningModel`
    (each run from a copy of it); ``prices`` are the contacts' costs, the engine's too.
    """

    catalog: Catalog
    customers: Sequence[Customer]
    truth: Truth
    policy: ContactPolicy = field(default_factory=ContactPolicy)
    model: PropensityModel = field(default_factory=PriorPropensity)
    prices: ChannelPrices = field(default_factory=ChannelPrices)


class DayCatalog(Catalog):
    """A catalog that remembers each customer's rule results (rules are pure functions).

    A rule that does not read the date (its SQL is the same for two different days) is
    evaluated once per customer; one that does, on every call; the offers active on a
    day come from the catalog's own per-day look-up. The customers do not change during
    a run.
    """

    def __init__(self, offers: Sequence[Offer], schema: ProfileSchema) -> None:
        super().__init__(offers, schema)
        self._dateless = tuple(_reads_no_date(rule) for rule in self._rules)
        self._known: dict[str, tuple[bool | None, ...]] = {}
        """Per customer, each distinct rule's result if it cannot depend on the day."""

    @classmethod
    def of(cls, catalog: Catalog) -> DayCatalog:
        """The same offers and schema, with the memory (rules compiled again, once)."""
        return cls([c.offer for c in catalog.offers], catalog.schema)

    def split(self, customer: Customer, day: dt.date) -> tuple[list[CompiledOffer], list[str]]:
        """The same split as :meth:`Catalog.split`, date-free rules looked up."""
        known = self._known.get(customer.id)
        if known is None:
            known = self._known[customer.id] = tuple(
                (rule(customer, day) is True) if free else None
                for rule, free in zip(self._rules, self._dateless, strict=True)
            )
        active, _ = self._active_on(day)
        eligible: list[CompiledOffer] = []
        ineligible: list[str] = []
        for compiled, i in active:
            holds = known[i]
            if holds is None:
                holds = self._rules[i](customer, day) is True
            if holds:
                eligible.append(compiled)
            else:
                ineligible.append(compiled.offer.id)
        return eligible, ineligible


def _reads_no_date(rule: CompiledRule) -> bool:
    """Whether the rule's result cannot depend on the day (same SQL for two days)."""
    return rule.sql(today=dt.date(2000, 1, 1)) == rule.sql(today=dt.date(2001, 2, 2))


class FrozenScores:
    """A propensity model that does not learn during the run, cached per offer, customer, reason."""

    def __init__(self, model: PropensityModel) -> None:
        self.model = model
        self._cache: dict[tuple[str, str, str], float] = {}

    def propensity(self, offer: Offer, customer: Customer, context: CallContext) -> float:
        """The model's point estimate, computed once per (offer, customer, reason)."""
        key = (offer.id, customer.id, context.reason)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self.model.propensity(offer, customer, context)
        return hit

    def sample(
        self, offer: Offer, customer: Customer, context: CallContext, rng: random.Random
    ) -> float:
        """The model's own posterior draw (not cached: it is random)."""
        return self.model.sample(offer, customer, context, rng)


class TwinSeller:
    """Sells in the simulated calls through the production engine (see the module docstring)."""

    def __init__(
        self,
        world: World,
        gate: LoadGate,
        calls: Calls,
        *,
        seed: int,
        reasons: Sequence[str],
    ) -> None:
        self.world = world
        model = _run_model(world.model)
        self.learner = model if isinstance(model, LearningModel) else None
        self.engine = Engine(
            DayCatalog.of(world.catalog),
            policy=world.policy,
            model=model,
            gate=gate,
            seed=seed,
            name="twin",
            prices=world.prices,
        )
        self.customer = calls.customer.tolist()
        self.reason = [reasons[r] for r in calls.reason.tolist()]
        self.draws = calls.answers.tolist()
        n = len(calls)
        self.history: dict[int, list[Contact]] = {}
        self.offered, self.sold = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        self.revenue = np.zeros(n)
        self.digital_revenue = 0.0
        self.messages = 0
        self.talk_seconds = 0.0
        self.message_cost = 0.0
        self._truth: dict[tuple[str, str, str, str], float] = {}

    def answer(self, call: int, state: QueueState) -> float:
        """Decide the call with the engine, play the caller's answers, keep the history."""
        who = self.customer[call]
        customer = self.world.customers[who]
        context = CallContext(at=state.at, reason=self.reason[call], queue=state.queue)
        history = self.history.setdefault(who, [])
        decision = self.engine.decide(customer, context, history=history, queue_state=state)
        extra = 0.0
        for candidate in decision.candidates:
            if candidate.fate is Fate.SHOWN:
                extra += self._in_call(call, candidate.offer_id, customer, context, history)
            elif candidate.fate is Fate.DIGITAL and candidate.channel is not None:
                self._message(call, candidate.offer_id, candidate.channel, customer, context)
        return extra

    def tallies(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Per call: offered in the call, sold in the call, revenue; and digital revenue."""
        return self.offered, self.sold, self.revenue, self.digital_revenue

    def costs(self) -> Costs:
        """What the run's contacts cost: offer talk at the agent's price, messages at theirs."""
        talk = self.talk_seconds * self.world.prices.agent_second
        return Costs(self.messages, self.talk_seconds, talk + self.message_cost)

    def _in_call(
        self,
        call: int,
        offer_id: str,
        customer: Customer,
        context: CallContext,
        history: list[Contact],
    ) -> float:
        offer = self.world.catalog.by_id[offer_id]
        key = (offer_id, "in_call", customer.id, context.reason)
        p = self._truth.get(key)
        if p is None:
            p = self._truth[key] = self.world.truth.probability(offer_id, customer, context)
        yes = self.draws[call][0] < p
        result = OutcomeResult.ACCEPTED if yes else OutcomeResult.DECLINED
        history.append(Contact(offer_id, Channel.IN_CALL, context.at, result))
        if self.learner is not None:
            self.learner.update(offer, customer, context, yes)
        self.offered[call] = True
        self.talk_seconds += offer.extra_handle_seconds
        if yes:
            self.sold[call] = True
            self.revenue[call] += offer.value
        return offer.extra_handle_seconds

    def _message(
        self, call: int, offer_id: str, channel: Channel, customer: Customer, ctx: CallContext
    ) -> None:
        key = (offer_id, channel.value, customer.id, ctx.reason)
        p = self._truth.get(key)
        if p is None:
            truth = self.world.truth
            p = self._truth[key] = truth.channel_probability(offer_id, key[1], customer, ctx)
        yes = self.draws[call][1] < p
        result = OutcomeResult.ACCEPTED if yes else None
        self.history[self.customer[call]].append(Contact(offer_id, channel, ctx.at, result))
        offer = self.world.catalog.by_id[offer_id]
        if self.learner is not None:
            self.learner.update(offer, customer, ctx, yes, channel)
        self.messages += 1
        self.message_cost += self.world.prices.message.get(channel, 0.0)
        if yes:
            self.digital_revenue += offer.value


@dataclass(frozen=True, slots=True)
class Costs:
    """What a run's contacts cost: messages sent, seconds of offer talk, and their price."""

    messages: int
    talk_seconds: float
    cost: float


def _run_model(model: PropensityModel) -> PropensityModel:
    """The model one run decides with: a copy to learn in, or the frozen one cached."""
    return copy.deepcopy(model) if isinstance(model, LearningModel) else FrozenScores(model)
