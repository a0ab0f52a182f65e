"""Off-policy estimates against the known value of a policy on the synthetic bank."""

from __future__ import annotations

import random

import pytest
from tests.support.learning import AT, REASONS, bank_world, epsilon_greedy_log

from servesell.domain import CallContext, Customer, Offer
from servesell.learn.ope import LoggedChoice, evaluate_policy
from servesell.learn.policies import by_score, greedy, logged_choice, uniform
from servesell.synth import LatentPropensity, generate_customers

REPETITIONS = 20
DECISIONS = 1500
TRUTH = LatentPropensity()


def _truth(offer: Offer, customer: Customer, context: CallContext) -> float:
    return TRUTH.probability(offer.id, customer, context)


@pytest.fixture(scope="module")
def world() -> tuple[list[Customer], dict[str, Offer]]:
    _, offers = bank_world()
    return generate_customers(3000, seed=5, as_of=AT.date()), {o.id: o for o in offers}


def _true_value(
    choices: list[LoggedChoice], policy: object, customers: dict[str, Customer]
) -> float:
    """The policy's expected value per decision on these calls, from the latent truth."""
    total = 0.0
    for choice in choices:
        decision, actions = choice.context
        probs = policy(choice)  # type: ignore[operator]
        for p, candidate in zip(probs, actions, strict=True):
            customer = customers[decision.customer_id]
            truth = TRUTH.probability(candidate.offer_id, customer, decision.context)
            total += p * truth * candidate.scores.value
    return total / len(choices)


def _oracle(customers: dict[str, Customer]) -> object:
    def score(decision, candidate) -> float:  # type: ignore[no-untyped-def]
        customer = customers[decision.customer_id]
        truth = TRUTH.probability(candidate.offer_id, customer, decision.context)
        return truth * candidate.scores.value

    return by_score(score)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["greedy", "uniform", "oracle"])
def test_intervals_cover_the_true_value_in_at_least_90_percent_of_repetitions(
    world: tuple[list[Customer], dict[str, Offer]], target: str
) -> None:
    customers, offers = world
    by_id = {c.id: c for c in customers}
    policy = {"greedy": greedy, "uniform": uniform, "oracle": _oracle(by_id)}[target]
    covered = {"ips": 0, "snips": 0, "dr": 0}
    for seed in range(REPETITIONS):
        log = epsilon_greedy_log(
            customers, list(offers.values()), _truth, n=DECISIONS, epsilon=0.3, seed=seed
        )
        choices = [c for d, r in log if (c := logged_choice(d, r)) is not None]
        truth = _true_value(choices, policy, by_id)
        for estimate in evaluate_policy(choices, policy):  # type: ignore[arg-type]
            covered[estimate.estimator] += estimate.covers(truth)
    assert all(n >= 0.9 * REPETITIONS for n in covered.values()), covered


def test_the_logging_policy_evaluates_to_its_own_average_reward(
    world: tuple[list[Customer], dict[str, Offer]],
) -> None:
    customers, offers = world
    log = epsilon_greedy_log(customers, list(offers.values()), _truth, n=800, epsilon=0.3, seed=1)
    choices = [c for d, r in log if (c := logged_choice(d, r)) is not None]
    observed = sum(sum(c.rewards) for c in choices) / len(choices)
    ips, snips, _ = evaluate_policy(choices, lambda c: c.logging)
    assert ips.value == pytest.approx(observed)
    assert snips.value == pytest.approx(observed)


def test_doubly_robust_with_the_true_reward_model_is_tighter_than_ips(
    world: tuple[list[Customer], dict[str, Offer]],
) -> None:
    customers, offers = world
    by_id = {c.id: c for c in customers}
    log = epsilon_greedy_log(customers, list(offers.values()), _truth, n=1500, epsilon=0.3, seed=2)
    choices = []
    for decision, results in log:
        choice = logged_choice(decision, results)
        assert choice is not None
        customer = by_id[decision.customer_id]
        q = tuple(
            TRUTH.probability(a, customer, decision.context) * offers[a].value
            for a in choice.actions
        )
        choices.append(LoggedChoice(**{**_fields(choice), "q_hat": q}))
    ips, _, dr = evaluate_policy(choices, _oracle(by_id))  # type: ignore[arg-type]
    assert dr.high - dr.low < ips.high - ips.low
    assert abs(dr.value - ips.value) < ips.high - ips.low


def _fields(choice: LoggedChoice) -> dict[str, object]:
    return {name: getattr(choice, name) for name in LoggedChoice.__slots__}


@pytest.mark.slow
def test_estimates_from_the_real_engines_log_cover_the_greedy_policys_value(
    world: tuple[list[Customer], dict[str, Offer]],
) -> None:
    """ε-greedy logs written by the decision engine itself, evaluated for pure greedy."""
    from servesell.decide import Catalog, ContactPolicy, Engine
    from servesell.domain import Channel, OutcomeResult
    from servesell.queueing.gate import AlwaysGate

    customers, offers = world
    schema, _ = bank_world()
    by_id = {c.id: c for c in customers}
    catalog = Catalog(list(offers.values()), schema)
    covered = {"ips": 0, "snips": 0, "dr": 0}
    repetitions = 10
    for seed in range(repetitions):
        engine = Engine(
            catalog,
            policy=ContactPolicy(explore_share=0.3, min_value_per_second=0.0),
            gate=AlwaysGate(budget_seconds=600),
            seed=seed,
        )
        rng = random.Random(seed)
        choices = []
        while len(choices) < 1000:
            customer = rng.choice(customers)
            context = CallContext(at=AT, reason=rng.choice(REASONS))
            decision = engine.decide(customer, context)
            results = {
                (c.offer_id, Channel.IN_CALL): OutcomeResult.ACCEPTED
                if rng.random() < _truth(offers[c.offer_id], customer, context)
                else OutcomeResult.DECLINED
                for c in decision.shown
            }
            choice = logged_choice(decision, results)
            if choice is not None:
                choices.append(choice)
        truth = _true_value(choices, greedy, by_id)
        for estimate in evaluate_policy(choices, greedy):
            covered[estimate.estimator] += estimate.covers(truth)
    assert all(n >= 0.9 * repetitions for n in covered.values()), covered
