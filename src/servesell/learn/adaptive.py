"""The online adaptive propensity model the decision engine ranks offers with.

One learner per offer (by default :class:`~servesell.learn.bayes_probit.BayesProbit`)
over one shared :class:`~servesell.learn.features.FeatureSpace`. It satisfies the
engine's :class:`~servesell.domain.ports.PropensityModel` and learns from every
in-call accept or decline through :meth:`AdaptivePropensity.update`.

Cold start is visible: an offer nobody has answered yet predicts exactly its catalog
``prior_propensity`` and :meth:`AdaptivePropensity.predict_expectations` says
``source="prior"`` with 0 outcomes; posterior draws around the prior are wide, so a
Thompson-sampling engine explores the new offer until evidence narrows them.

>>> import datetime as dt
>>> from servesell.domain import CallContext, Customer, Offer, ProfileSchema
>>> from servesell.learn.features import FeatureSpace
>>> model = AdaptivePropensity(FeatureSpace(ProfileSchema.from_mapping({"age": "int"})))
>>> o = Offer(id="o1", name="O", product="o1", rule="age > 18", value=90, script="Hi",
...           extra_handle_seconds=40, prior_propensity=0.1)
>>> c = Customer("C1", {"age": 40})
>>> ctx = CallContext(at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
>>> round(model.propensity(o, c, ctx), 6)
0.1
>>> model.update(o, c, ctx, accepted=True)
>>> model.propensity(o, c, ctx) > 0.1
True
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from servesell.domain.decision import OutcomeResult
from servesell.domain.offer import DIGITAL_TAKE_UP_SHARE, Channel
from servesell.learn.associations import MAX_AFFINITY, Associations, lift_bin
from servesell.learn.base import Learner, learner_from_state
from servesell.learn.bayes_probit import BayesProbit
from servesell.learn.features import FeatureSpace
from servesell.learn.shift import shift_learner

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Mapping

    from servesell.domain.center import CallContext
    from servesell.domain.customer import Customer
    from servesell.domain.decision import Outcome
    from servesell.domain.offer import Offer
    from servesell.domain.schema import ProfileSchema
    from servesell.learn.associations import Rule
    from servesell.learn.features import SparseRow

STATE_VERSION = 1

DIGITAL_PRIOR = DIGITAL_TAKE_UP_SHARE
"""Cold-start take-up of a digital follow-up, as a share of the offer's in-call prior."""


_IN_CALL = Channel.IN_CALL  # a module constant: an enum member read off its class costs more


def learner_key(offer_id: str, channel: Channel = Channel.IN_CALL) -> str:
    """The key of the learner for ``offer_id`` on ``channel`` (in-call: the offer id).

    >>> learner_key("car_loan"), learner_key("car_loan", Channel.SMS)
    ('car_loan', 'car_loan@sms')
    """
    return offer_id if channel is Channel.IN_CALL else f"{offer_id}@{channel.value}"


def default_learner() -> BayesProbit:
    """The learner a model starts every offer with unless told otherwise.

    Near-greedy draws on a widened posterior: three times the diagonal posterior's
    variance, a tenth of its spread sampled, so rare, valuable offers look as good as they
    might be while few calls go to noise; predictions and draws read the posterior's
    relevance view (:mod:`~servesell.learn.relevance`), remade every 20 outcomes of the
    offer. Chosen on ``bench/learn.py`` seeds 2-4 (the figures and what was tried are in
    ``docs/learning.md``).
    """
    return BayesProbit(
        prior_variance=0.025, sample_scale=0.1, draw_inflation=3.0, relevance_every=20
    )


@dataclass(frozen=True, slots=True)
class Expectation:
    """What the model believes about one offer for one customer, and on what evidence."""

    offer_id: str
    propensity: float
    uncertainty: float
    prior: float
    outcomes: int
    accepted: int

    @property
    def source(self) -> str:
        """``"prior"`` until the offer has an outcome, then ``"learned"``."""
        return "prior" if self.outcomes == 0 else "learned"


class AdaptivePropensity:
    """Per-offer online learners over a shared feature space; see the module docstring."""

    def __init__(
        self,
        space: FeatureSpace,
        *,
        learner: Learner | None = None,
        seed: int = 0,
        digital_prior: Mapping[Channel, float] | None = None,
        associations: Associations | None = None,
        min_evidence: int = 30,
    ) -> None:
        self.space = space
        self.associations = associations
        self.min_evidence = min_evidence
        self.template = learner or default_learner()
        self.seed = seed
        self.rng = random.Random(seed)
        self.digital_prior = dict(DIGITAL_PRIOR if digital_prior is None else digital_prior)
        self.learners: dict[str, Learner] = {}
        self._last: tuple[object, object, SparseRow] | None = None
        self._lock = threading.RLock()

    @classmethod
    def for_customers(
        cls,
        schema: ProfileSchema,
        customers: Iterable[Customer],
        *,
        at: dt.date,
        learner: Learner | None = None,
        seed: int = 0,
        associations: Associations | None = None,
    ) -> AdaptivePropensity:
        """A model whose number bins are fitted to a sample of ``customers``."""
        space = FeatureSpace.fit(schema, customers, at=at)
        return cls(space, learner=learner, seed=seed, associations=associations)

    def propensity(self, offer: Offer, customer: Customer, context: CallContext) -> float:
        """Posterior mean probability that ``customer`` accepts ``offer`` on this call."""
        return self._learner(offer).predict_one(self._offer_row(offer, customer, context))

    def sample(
        self, offer: Offer, customer: Customer, context: CallContext, rng: random.Random
    ) -> float:
        """A posterior draw of the propensity (Thompson sampling), from ``rng``."""
        return self._learner(offer).sample_one(self._offer_row(offer, customer, context), rng)

    def draw(self, offer: Offer, customer: Customer, context: CallContext) -> float:
        """A posterior draw from the model's own seeded RNG."""
        return self.sample(offer, customer, context, self.rng)

    def channel_propensity(
        self, offer: Offer, channel: Channel, customer: Customer, context: CallContext
    ) -> float:
        """Posterior mean take-up of ``offer`` made on ``channel`` (in-call or a message).

        With probit learners a message's score is the offer's in-call score plus the
        channel's learned shift for this customer (one learner per channel, shared by
        every offer): each answer on a channel teaches it about all offers, so a channel
        is learned from far fewer answers than one learner per offer and channel needs.
        """
        row = self._offer_row(offer, customer, context)
        if channel is Channel.IN_CALL:
            return self._learner(offer).predict_one(row)
        shift = self._shift(channel)
        if shift is None:
            return self._learner(offer, channel).predict_one(row)
        base = self._learner(offer)
        assert isinstance(base, BayesProbit)
        return shift.predict_with(row, base.score(row))

    def evidence(self, offer: Offer, channel: Channel = Channel.IN_CALL) -> int:
        """How many answers the learner behind ``offer`` on ``channel`` has seen."""
        key = learner_key(offer.id, channel)
        if channel is not Channel.IN_CALL and isinstance(self.template, BayesProbit):
            key = f"@{channel.value}"
        learner = self.learners.get(key)
        return 0 if learner is None else learner.n

    def update(
        self,
        offer: Offer,
        customer: Customer,
        context: CallContext,
        accepted: bool,
        channel: Channel = Channel.IN_CALL,
    ) -> None:
        """Learn from one answer: ``customer`` took ``offer`` made on ``channel``, or not.

        Thread-safe against predictions in other threads: a learner is never replaced
        (cold start) while it is being taught.
        """
        # _offer_row and _learner's common cases inline (a hot path: bench/learn.py's
        # updates_per_s); the row is not kept as the last one (an update rarely precedes a
        # prediction for the same call)
        last = self._last
        if last is not None and last[0] is customer and last[1] is context:
            row = last[2]
        else:
            row = self.space.encoder(customer, context)
        if self.associations is not None:
            row = self._with_rule(row, offer, customer)
        with self._lock:
            if channel is _IN_CALL:
                learner = self.learners.get(offer.id)
                if learner is None or not (learner.n or learner.prior == offer.prior_propensity):
                    learner = self._learner(offer)
                learner.learn_one(row, accepted, self.space.unit_prefix)
                return
            shift = self._shift(channel)
            if shift is None:
                self._learner(offer, channel).learn_one(row, accepted, self.space.unit_prefix)
                return
            base = self._learner(offer)
            assert isinstance(base, BayesProbit)
            shift.learn_with(row, accepted, base.score(row), self.space.unit_prefix)

    def observe(
        self, offer: Offer, customer: Customer, context: CallContext, outcome: Outcome
    ) -> bool:
        """Learn from a recorded outcome when it is evidence; ``True`` when it was used.

        Accepts and declines teach the learner of the outcome's channel; ``not_offered``
        says nothing about the customer. A digital send nobody answers becomes a *no*
        only when its attribution window ends (the learning log's sweep), not here.
        """
        if outcome.offer_id != offer.id or outcome.result is OutcomeResult.NOT_OFFERED:
            return False
        accepted = outcome.result is OutcomeResult.ACCEPTED
        self.update(offer, customer, context, accepted, outcome.channel)
        return True

    def predict_expectations(
        self, offers: Iterable[Offer], customer: Customer, context: CallContext
    ) -> dict[str, Expectation]:
        """Per offer id: the propensity, its uncertainty and the evidence behind it."""
        out = {}
        for offer in offers:
            row = self._offer_row(offer, customer, context)
            learner = self._learner(offer)
            out[offer.id] = Expectation(
                offer_id=offer.id,
                propensity=learner.predict_one(row),
                uncertainty=learner.uncertainty_one(row),
                prior=learner.prior,
                outcomes=learner.n,
                accepted=learner.positives,
            )
        return out

    def state(self) -> dict[str, Any]:
        """JSON-serialisable state: features, learner settings and every offer's learner."""
        return {
            "version": STATE_VERSION,
            "seed": self.seed,
            "space": self.space.state(),
            "template": self.template.state(),
            "digital_prior": {c.value: f for c, f in sorted(self.digital_prior.items())},
            "associations": None if self.associations is None else self.associations.state(),
            "min_evidence": self.min_evidence,
            "learners": {k: v.state() for k, v in sorted(self.learners.items())},
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> AdaptivePropensity:
        """Rebuild a model saved by :meth:`state`."""
        if state.get("version") != STATE_VERSION:
            raise ValueError(
                f"model state version {state.get('version')!r} is not supported "
                f"(expected {STATE_VERSION})"
            )
        template = learner_from_state(state["template"]).clone()
        prior = state.get("digital_prior")
        model = cls(
            FeatureSpace.from_state(state["space"]),
            learner=template,
            seed=int(state["seed"]),
            digital_prior=None if prior is None else {Channel(c): f for c, f in prior.items()},
            associations=Associations.from_state(found)
            if (found := state.get("associations"))
            else None,
            min_evidence=int(state.get("min_evidence", 30)),
        )
        model.learners = {k: learner_from_state(v) for k, v in state["learners"].items()}
        for learner in model.learners.values():
            model._attach(learner)
        return model

    def _attach(self, learner: Learner) -> None:
        """Give a probit learner the fields of the space's features (its relevance view)."""
        if isinstance(learner, BayesProbit):
            learner.groups = self.space.groups

    def __getstate__(self) -> dict[str, Any]:
        return self.state()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(AdaptivePropensity.from_state(state).__dict__)

    def _learner(self, offer: Offer, channel: Channel = Channel.IN_CALL) -> Learner:
        key = offer.id if channel is Channel.IN_CALL else learner_key(offer.id, channel)
        prior = offer.prior_propensity
        if channel is not Channel.IN_CALL:
            prior *= self.digital_prior.get(channel, 1.0)
        learner = self.learners.get(key)
        if learner is not None and (learner.n or learner.prior == prior):
            return learner
        with self._lock:  # create or restart it once, never under a concurrent update
            learner = self.learners.get(key)
            if learner is None or (learner.n == 0 and learner.prior != prior):
                learner = self.template.clone()
                learner.cold_start(prior, self.norm2)
                self._attach(learner)
                self.learners[key] = learner
            return learner

    def _shift(self, channel: Channel) -> BayesProbit | None:
        """The channel's shift learner (probit templates only), started at its share."""
        template = self.template
        if not isinstance(template, BayesProbit):
            return None
        key = f"@{channel.value}"
        learner = self.learners.get(key)
        if learner is None:
            with self._lock:
                return self._new_shift(key, channel, template)
        assert isinstance(learner, BayesProbit)
        return learner

    def _new_shift(self, key: str, channel: Channel, template: BayesProbit) -> BayesProbit:
        learner = self.learners.get(key)
        if learner is None:
            share = self.digital_prior.get(channel, 1.0)
            learner = self.learners[key] = shift_learner(template, self.norm2, share)
        assert isinstance(learner, BayesProbit)
        return learner

    @property
    def norm2(self) -> float:
        """Squared norm of every row: the space's, plus the association feature when on."""
        return self.space.norm2 + (1.0 if self.associations is not None else 0.0)

    def affinity(self, customer: Customer, offer: Offer) -> tuple[float, str | None]:
        """The context weight associations give ``offer`` for ``customer``, and why.

        The lift of the strongest rule from what the customer holds into the offer's
        product (capped at :data:`MAX_AFFINITY`), with its sentence; ``(1.0, None)``
        when associations are off or no rule has enough evidence.
        """
        rule = self._rule(customer, offer)
        if rule is None:
            return 1.0, None
        return min(rule.lift, MAX_AFFINITY), rule.describe()

    def _rule(self, customer: Customer, offer: Offer) -> Rule | None:
        if self.associations is None:
            return None
        return self.associations.strongest(
            customer.holdings, offer.product, min_count=self.min_evidence
        )

    def _offer_row(self, offer: Offer, customer: Customer, context: CallContext) -> SparseRow:
        """The customer's row plus, when associations are on, the offer's lift feature."""
        last = self._last
        if last is not None and last[0] is customer and last[1] is context:
            row = last[2]
        else:
            row = self.space.encode(customer, context)
            self._last = (customer, context, row)
        if self.associations is None:
            return row
        return self._with_rule(row, offer, customer)

    def _with_rule(self, row: SparseRow, offer: Offer, customer: Customer) -> SparseRow:
        """``row`` plus the offer's association lift feature (associations on)."""
        rule = self._rule(customer, offer)
        token = "assoc:none" if rule is None else f"assoc:lift{lift_bin(rule.lift)}"
        return [*row[0], self.space.feature(token)], [*row[1], 1.0]
