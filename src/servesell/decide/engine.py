"""The decision engine: 0..k offers for a customer on a live call, every candidate's fate logged.

``Engine.decide`` is a pure function of its inputs (customer, call context, recent
contacts, queue state) plus the engine's own seeded RNG; reading and writing the store
happen outside (see ``servesell.service``). Steps: candidates (active offers whose rule
holds) → contact policy (suppressions with reason codes) → scores
(``propensity × value × context weight × lever``) → channel fit → arbitration within the
load gate's time budget, with exploration and logged probabilities.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from servesell.decide.arbitrate import Contender, Sampler, arbitrate
from servesell.decide.channel import (
    ChannelPrices,
    best_message,
    busy_to_digital,
    choose_by_net_value,
    choose_channel,
    net_options,
    priced_out,
)
from servesell.decide.control import in_control_group
from servesell.decide.policy import (
    ContactPolicy,
    channel_remaining,
    customer_block,
    global_cool_down,
    offer_block,
    remaining_contacts,
)
from servesell.decide.prior import PriorPropensity
from servesell.decide.reasons import Selection, Suppression
from servesell.domain.decision import Candidate, Decision, Fate, Mode, Scores
from servesell.domain.offer import Channel
from servesell.domain.ports import Affinity, PricedGate
from servesell.queueing.gate import AlwaysGate

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from zoneinfo import ZoneInfo

    from servesell.decide.catalog import Catalog, CompiledOffer
    from servesell.domain.center import CallContext
    from servesell.domain.customer import Customer
    from servesell.domain.history import Contact
    from servesell.domain.ports import LoadGate, PropensityModel
    from servesell.domain.queue import QueueState

OPEN_BUDGET_SECONDS = 600.0
"""The budget of the engine's gate when none is given: always open (tests, the demo)."""

_FATE_ORDER = {Fate.SHOWN: 0, Fate.DIGITAL: 1, Fate.NOT_SELECTED: 2, Fate.SUPPRESSED: 3}


@dataclass(slots=True)
class _Work:
    """Mutable state of one decision while it is being made."""

    customer: Customer
    context: CallContext
    history: Sequence[Contact]
    local: dt.datetime
    contacts_left: int = 0
    candidates: dict[str, Candidate] = field(default_factory=dict)
    scores: dict[str, Scores] = field(default_factory=dict)

    def fate(
        self,
        offer_id: str,
        fate: Fate,
        reason: str,
        *,
        channel: Channel | None = None,
        probability: float = 0.0,
        rank: int | None = None,
    ) -> None:
        """Record the fate of ``offer_id`` with its scores."""
        self.candidates[offer_id] = Candidate(
            offer_id, fate, reason, self.scores[offer_id], channel, probability, rank
        )


class Engine:
    """Makes decisions over one compiled catalog with one policy, model and gate."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        policy: ContactPolicy | None = None,
        model: PropensityModel | None = None,
        gate: LoadGate | None = None,
        tz: ZoneInfo | dt.tzinfo = dt.UTC,
        seed: int = 0,
        name: str = "default",
        prices: ChannelPrices | None = None,
    ) -> None:
        self.catalog = catalog
        self.prices = prices or ChannelPrices()
        self.policy = policy or ContactPolicy()
        self.model: PropensityModel = model or PriorPropensity()
        self.gate: LoadGate = gate or AlwaysGate(budget_seconds=OPEN_BUDGET_SECONDS)
        self.tz = tz
        self.name = name
        self.rng = random.Random(seed)

    def decide(
        self,
        customer: Customer,
        context: CallContext,
        *,
        history: Sequence[Contact] = (),
        queue_state: QueueState | None = None,
        decision_id: str | None = None,
    ) -> Decision:
        """The decision for ``customer`` on this call; see the module docstring."""
        local = context.at.astimezone(self.tz)
        eligible, ineligible = self.catalog.split(customer, local.date())
        work = _Work(customer, context, history, local)
        self._score(work, eligible)
        allowed = self._apply_policy(work, eligible)
        budget = max(0.0, float(self.gate.allowed_extra_seconds(queue_state)))
        explored = self._route(work, allowed, budget, queue_state)
        return Decision(
            id=decision_id or str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            customer_id=customer.id,
            made_at=context.at,
            context=context,
            mode=Mode.SELL if budget > 0 else Mode.SERVE,
            budget_seconds=budget,
            explored=explored,
            candidates=tuple(sorted(work.candidates.values(), key=_display_order)),
            ineligible=tuple(ineligible),
            policy=self.name,
        )

    def _score(self, work: _Work, eligible: list[CompiledOffer]) -> None:
        """Scores of every eligible offer (one loop: the invariants are looked up once)."""
        customer, ctx, scores = work.customer, work.context, work.scores
        weight_of = self.policy.context_weight
        propensity = self.model.propensity
        model = self.model
        affinity = None
        if self.policy.association_weight and isinstance(model, Affinity):
            affinity = model.affinity
        for compiled in eligible:
            offer = compiled.offer
            weight = weight_of(ctx.reason, offer.id)
            if affinity is not None:
                weight *= affinity(customer, offer)[0]  # "holders of X take Y 2.5×"
            scores[offer.id] = Scores(
                propensity=propensity(offer, customer, ctx),
                value=offer.value,
                context_weight=weight,
                lever=offer.lever,
            )

    def _apply_policy(self, work: _Work, eligible: list[CompiledOffer]) -> list[CompiledOffer]:
        """Suppress what contact policy forbids; return what is still allowed."""
        now = work.context.at
        blanket = customer_block(work.customer, work.context, self.policy) or global_cool_down(
            work.history, now, self.policy
        )
        left, cap_code = remaining_contacts(work.history, now, self.policy)
        allowed = []
        for compiled in eligible:
            offer = compiled.offer
            reason = blanket or offer_block(offer, work.customer, work.history, now, self.policy)
            if reason is None and left == 0:
                reason = cap_code
            if reason is None and in_control_group(
                work.customer.id, offer.control_key, offer.control_share
            ):
                reason = Suppression.CONTROL_GROUP
            if reason is None:
                allowed.append(compiled)
            else:
                work.fate(offer.id, Fate.SUPPRESSED, reason)
        work.contacts_left = left
        return allowed

    def _route(
        self,
        work: _Work,
        allowed: list[CompiledOffer],
        budget: float,
        queue_state: QueueState | None,
    ) -> bool:
        """Channel fit, then arbitration of the in-call offers and the digital ones."""
        in_call: list[CompiledOffer] = []
        digital: list[tuple[CompiledOffer, Channel, str]] = []
        spares: dict[str, tuple[CompiledOffer, Channel, Scores]] = {}
        learned = self.policy.channel_choice == "learned"
        talk = self._talk_second(queue_state) if learned else 0.0
        for compiled in allowed:
            if learned:
                channel, reason = self._by_net_value(work, compiled, talk, spares)
            else:
                priority = work.scores[compiled.offer.id].priority
                channel, reason = choose_channel(
                    compiled.offer, work.customer, priority, self.policy.min_value_per_second
                )
            if channel is None:
                fate = Fate.NOT_SELECTED if reason == Selection.NO_NET_VALUE else Fate.SUPPRESSED
                work.fate(compiled.offer.id, fate, reason)
            elif channel is Channel.IN_CALL:
                in_call.append(compiled)
            else:
                digital.append((compiled, channel, reason))
        if budget <= 0:
            in_call = busy_to_digital(work.customer, in_call, digital)
        elif (admits := getattr(self.gate, "admits", None)) is not None:
            in_call = self._priced(work, in_call, digital, queue_state, admits)
        shown, explored = self._arbitrate_in_call(work, in_call, budget)
        _spill(work, spares, digital)
        self._route_digital(work, digital, work.contacts_left - shown)
        return explored

    def _priced(
        self,
        work: _Work,
        in_call: list[CompiledOffer],
        digital: list[tuple[CompiledOffer, Channel, str]],
        queue_state: QueueState | None,
        admits: Callable[[QueueState | None, float], bool],
    ) -> list[CompiledOffer]:
        """In-call offers whose value per talk second the gate admits; the rest go digital.

        ``admits`` is a priced gate's verdict (:class:`~servesell.domain.ValuedGate`; looked
        up by name, a plain attribute read on the hot path). An offer the gate prices out
        of the call goes to its first digital channel, or is not selected
        (``below_talk_price``) when none reaches the customer.
        """
        admitted, out = priced_out(in_call, work.scores, queue_state, admits)
        for compiled in busy_to_digital(work.customer, out, digital, Selection.DIGITAL_PRICE):
            work.fate(compiled.offer.id, Fate.NOT_SELECTED, Selection.BELOW_PRICE)
        return admitted

    def _by_net_value(
        self,
        work: _Work,
        compiled: CompiledOffer,
        talk_second: float,
        spares: dict[str, tuple[CompiledOffer, Channel, Scores]],
    ) -> tuple[Channel | None, str]:
        """The channel with the best expected value net of cost (its scores are kept).

        When that is the call, the best paying message is kept in ``spares`` in case
        the call has no room for the offer.
        """
        offer_id = compiled.offer.id
        options = net_options(
            compiled.offer,
            work.customer,
            work.context,
            work.scores[offer_id],
            model=self.model,
            prices=self.prices,
            talk_second=talk_second,
        )
        channel, reason = choose_by_net_value(options)
        if channel is not None:
            work.scores[offer_id] = options[channel]
        if channel is Channel.IN_CALL and (message := best_message(options)) is not None:
            spares[offer_id] = (compiled, message, options[message])
        return channel, reason

    def _talk_second(self, queue_state: QueueState | None) -> float:
        """The price of a talk second now: agent time plus the waiting it imposes."""
        gate = self.gate
        wait = gate.wait_per_talk_second(queue_state) if isinstance(gate, PricedGate) else 0.0
        return self.prices.talk_second(wait)

    def _arbitrate_in_call(
        self, work: _Work, in_call: list[CompiledOffer], budget: float
    ) -> tuple[int, bool]:
        contenders = [
            Contender(c.offer.id, work.scores[c.offer.id].net, c.offer.extra_handle_seconds)
            for c in in_call
        ]
        sampler = None
        if self.policy.exploration == "thompson" and in_call:
            sampler = self._sampler(work, in_call)
        verdicts, explored = arbitrate(
            contenders,
            budget=budget,
            k=min(self.policy.top_k, work.contacts_left),
            explore_share=self.policy.explore_share,
            rng=self.rng,
            sampler=sampler,
        )
        for offer_id, v in verdicts.items():
            fate = Fate.SHOWN if v.shown else Fate.NOT_SELECTED
            work.fate(
                offer_id,
                fate,
                v.reason,
                channel=Channel.IN_CALL,
                probability=v.probability,
                rank=v.rank,
            )
        return sum(v.shown for v in verdicts.values()), explored

    def _sampler(self, work: _Work, in_call: list[CompiledOffer]) -> Sampler:
        def draw() -> list[float]:
            out = []
            for c in in_call:
                p = self.model.sample(c.offer, work.customer, work.context, self.rng)
                out.append(work.scores[c.offer.id].at(p).priority)
            return out

        return draw

    def _route_digital(
        self, work: _Work, digital: list[tuple[CompiledOffer, Channel, str]], left: int
    ) -> None:
        quiet = self.policy.is_quiet(work.local.time())
        sent = 0
        used: dict[Channel, int] = {}
        digital.sort(key=lambda d: (-work.scores[d[0].offer.id].priority, d[0].offer.id))
        for compiled, channel, reason in digital:
            offer_id = compiled.offer.id
            room = channel_remaining(channel, work.history, work.context.at, self.policy)
            if quiet:
                work.fate(offer_id, Fate.SUPPRESSED, Suppression.QUIET_HOURS, channel=channel)
            elif room is not None and room - used.get(channel, 0) <= 0:
                work.fate(offer_id, Fate.SUPPRESSED, Suppression.CAP_CHANNEL, channel=channel)
            elif sent >= min(self.policy.max_digital, left):
                work.fate(offer_id, Fate.NOT_SELECTED, Selection.DIGITAL_LIMIT, channel=channel)
            else:
                sent += 1
                used[channel] = used.get(channel, 0) + 1
                work.fate(offer_id, Fate.DIGITAL, reason, channel=channel, probability=1.0)


def _spill(
    work: _Work,
    spares: dict[str, tuple[CompiledOffer, Channel, Scores]],
    digital: list[tuple[CompiledOffer, Channel, str]],
) -> None:
    """In-call offers the call had no room for go to their best paying message instead."""
    for offer_id, (compiled, channel, scores) in spares.items():
        made = work.candidates.get(offer_id)
        if made is not None and made.fate is Fate.NOT_SELECTED:
            work.scores[offer_id] = scores
            digital.append((compiled, channel, Selection.NET_SPILL))


def _display_order(c: Candidate) -> tuple[int, int, float, str]:
    return (_FATE_ORDER[c.fate], c.rank or 0, -c.scores.priority, c.offer_id)
