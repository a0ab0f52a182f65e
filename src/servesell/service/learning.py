"""The learners wired to the store: the adaptive model's life cycle and analyses of the log.

The decision engine's online model lives in the ``model_states`` table under
:data:`ADAPTIVE_MODEL`, as a checkpoint: the state after applying the learning log
(:mod:`servesell.store.evidence`) up to its ``last_seq``. :func:`load_adaptive` gives the
checkpoint (or a new model whose number bins are fitted to a sample of the stored
customers); :func:`learn_from_log` applies the events after it, each exactly once, in
``seq`` order; :func:`save_adaptive` stores it — a compare-and-set over an older
checkpoint of the same epoch, or a new epoch for a new model. Every API worker keeps its
own copy current the same way (:mod:`servesell.service.online`); so can
``servesell model learn``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from servesell.decide.control import in_control_group
from servesell.decide.reasons import Suppression
from servesell.domain.decision import Fate, OutcomeResult
from servesell.learn.adaptive import AdaptivePropensity
from servesell.learn.associations import Associations
from servesell.learn.uplift import ALL, UpliftRow, measure_uplift
from servesell.store import (
    get_customer,
    iter_customers,
    iter_logged_decisions,
    list_offers,
    load_model_state,
    require_schema,
    save_model_state,
)
from servesell.store.evidence import iter_events
from servesell.store.learning import ADAPTIVE_MODEL, model_head, save_checkpoint
from servesell.store.offers import control_starts

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Connection

    from servesell.domain.customer import Customer
    from servesell.domain.decision import Candidate, Decision
    from servesell.domain.offer import Offer
    from servesell.domain.schema import ProfileSchema
    from servesell.learn.ope import Estimate, TargetPolicy
    from servesell.learn.uplift import Uplift
    from servesell.store.evidence import LearningEvent

KIND = "adaptive_propensity"
SAMPLE = 5000
"""Customers sampled to fit the number bins of a new model."""
POLICIES = ("greedy", "uniform", "adaptive")


@dataclass(frozen=True, slots=True)
class LearnReport:
    """What one replay of the log taught the model."""

    used: int
    skipped: int
    total: int
    last_outcome_id: int
    last_seq: int = 0


@dataclass(slots=True)
class Saved:
    """The adaptive model with its place in the learning log.

    ``epoch`` is 0 for a model not stored yet (saving it starts a new epoch);
    ``learned_at`` is when the newest applied event was recorded.
    """

    model: AdaptivePropensity
    outcomes: int = 0
    last_outcome_id: int = 0
    last_seq: int = 0
    epoch: int = 0
    learned_at: dt.datetime | None = None


def load_adaptive(
    conn: Connection, *, seed: int = 0, fresh: bool = False, associations: bool = False
) -> Saved:
    """The stored adaptive model, or a new one fitted to a sample of the customers.

    A new model with ``associations`` uses product → product rules from the stored
    holdings as features (and as context weights when the policy says so).
    """
    stored = None if fresh else load_model_state(conn, ADAPTIVE_MODEL)
    if stored is not None:
        model = AdaptivePropensity.from_state(stored.state)
        return Saved(model, stored.outcomes, stored.last_outcome_id, stored.last_seq, stored.epoch)
    return Saved(new_adaptive(conn, seed=seed, associations=associations))


def new_adaptive(
    conn: Connection, *, seed: int = 0, associations: bool = False
) -> AdaptivePropensity:
    """A model that knows nothing yet, its number bins fitted to a sample of the customers."""
    schema = require_schema(conn)
    sample = list(islice(iter_customers(conn, schema), SAMPLE))
    today = dt.datetime.now(dt.UTC).date()
    rules = associations_in_store(conn) if associations else None
    return AdaptivePropensity.for_customers(schema, sample, at=today, seed=seed, associations=rules)


def save_adaptive(conn: Connection, saved: Saved) -> bool:
    """Store the model and its place in the log; ``False`` when a newer one is stored.

    A model loaded from the store is written over an older checkpoint of its epoch only
    (compare-and-set); a new model (``epoch`` 0) replaces whatever is stored and starts
    the next epoch, which makes every worker reload it.
    """
    if saved.epoch:
        return save_checkpoint(
            conn,
            ADAPTIVE_MODEL,
            saved.model.state(),
            outcomes=saved.outcomes,
            last_outcome_id=saved.last_outcome_id,
            last_seq=saved.last_seq,
            epoch=saved.epoch,
        )
    head = model_head(conn, ADAPTIVE_MODEL)
    saved.epoch = (head[0] if head else 0) + 1
    save_model_state(
        conn,
        ADAPTIVE_MODEL,
        KIND,
        saved.model.state(),
        outcomes=saved.outcomes,
        last_outcome_id=saved.last_outcome_id,
        last_seq=saved.last_seq,
        epoch=saved.epoch,
    )
    return True


def learn_from_log(conn: Connection, saved: Saved, *, limit: int | None = None) -> LearnReport:
    """Apply every learning event after the model's place in the log, in order, once."""
    offers = {o.id: o for o in list_offers(conn)}
    used = skipped = 0
    for event in iter_events(conn, saved.model.space.schema, after=saved.last_seq, limit=limit):
        if apply_event(saved, event, offers):
            used += 1
        else:
            skipped += 1
    return LearnReport(used, skipped, saved.outcomes, saved.last_outcome_id, saved.last_seq)


def apply_event(saved: Saved, event: LearningEvent, offers: Mapping[str, Offer]) -> bool:
    """Teach ``saved`` one event and move its place in the log; ``False`` if skipped.

    An event must come right after the model's place (``seq`` has no gaps), so an event
    is never applied twice nor one skipped; an offer no longer in the catalog is passed.
    """
    if event.seq != saved.last_seq + 1:
        raise ValueError(f"learning event {event.seq} does not follow {saved.last_seq}")
    saved.last_seq = event.seq
    saved.last_outcome_id = max(saved.last_outcome_id, event.outcome_id or 0)
    saved.learned_at = event.recorded_at
    offer = offers.get(event.offer_id)
    if offer is None:
        return False
    saved.model.update(offer, event.customer, event.context, event.accepted, event.channel)
    saved.outcomes += 1
    return True


def associations_in_store(conn: Connection, *, min_support: float = 0.01) -> Associations:
    """Product → product rules over every stored customer's holdings."""
    schema = require_schema(conn)
    return Associations.fit(
        (c.holdings for c in iter_customers(conn, schema)), min_support=min_support
    )


def uplift_in_log(
    conn: Connection, *, segment: str | None = None, since: dt.datetime | None = None
) -> list[Uplift]:
    """Intent-to-treat uplift per offer (and ``segment`` value) from the control groups.

    Only decisions made since the offer's control group started count: a customer is a
    member of a control group from its start, never retroactively.
    """
    offers = {o.id: o for o in list_offers(conn)}
    starts = control_starts(conn)
    schema = require_schema(conn)
    units: dict[tuple[str, str], tuple[str, bool, bool]] = {}
    for logged in iter_logged_decisions(conn, since=since):
        for c in logged.decision.candidates:
            offer = offers.get(c.offer_id)
            start = starts.get(c.offer_id)
            if offer is None or start is None or logged.decision.made_at < start:
                continue
            key = (logged.decision.customer_id, c.offer_id)
            held_out = _held_out(c, logged.decision.customer_id, offer)
            accepted = any(
                r is OutcomeResult.ACCEPTED
                for (o, _), r in logged.results.items()
                if o == c.offer_id
            )
            earlier = units.get(key)
            units[key] = (offer.product, held_out, accepted or bool(earlier and earlier[2]))
    return measure_uplift(_uplift_rows(conn, schema, units, segment))


def ope_in_log(
    conn: Connection,
    *,
    policy: str = "greedy",
    reward: str = "value",
    since: dt.datetime | None = None,
) -> list[Estimate]:
    """IPS, SNIPS and DR estimates of a target policy's value per logged decision."""
    from servesell.learn.ope import evaluate_policy
    from servesell.learn.policies import greedy, logged_choice, uniform

    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    choices = [
        choice
        for logged in iter_logged_decisions(conn, since=since)
        if (choice := logged_choice(logged.decision, logged.results, reward=reward)) is not None
    ]
    target = {"greedy": greedy, "uniform": uniform}.get(policy) or _adaptive_policy(conn)
    return evaluate_policy(choices, target)


def _held_out(candidate: Candidate, customer_id: str, offer: Offer) -> bool:
    if candidate.fate is Fate.SUPPRESSED and candidate.reason == Suppression.CONTROL_GROUP:
        return True
    return in_control_group(customer_id, offer.control_key, offer.control_share)


def _uplift_rows(
    conn: Connection,
    schema: ProfileSchema,
    units: dict[tuple[str, str], tuple[str, bool, bool]],
    segment: str | None,
) -> Iterator[UpliftRow]:
    cache: dict[str, Customer] = {}
    for (customer_id, offer_id), (product, held_out, accepted) in sorted(units.items()):
        customer = cache.get(customer_id) or get_customer(conn, customer_id, schema)
        cache[customer_id] = customer
        group = str(customer.attributes.get(segment)) if segment else ALL
        converted = accepted or customer.holds(product)
        yield UpliftRow(offer_id, group, treated=not held_out, converted=converted)


def _adaptive_policy(conn: Connection) -> TargetPolicy:
    from servesell.learn.policies import by_score

    saved = load_adaptive(conn)
    offers = {o.id: o for o in list_offers(conn)}
    schema = saved.model.space.schema
    customers: dict[str, Customer] = {}

    def score(decision: Decision, candidate: Candidate) -> float:
        customer = customers.get(decision.customer_id)
        if customer is None:
            customer = customers[decision.customer_id] = get_customer(
                conn, decision.customer_id, schema
            )
        p = saved.model.propensity(offers[candidate.offer_id], customer, decision.context)
        return candidate.scores.at(p).priority

    return by_score(score)
