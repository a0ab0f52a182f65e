"""What product associations add to the ranking, by off-policy evaluation.

Prints one JSON line. On the synthetic bank, ``--calls`` calls each bring 3-6 eligible
offers; the logging policy shows one uniformly at random (probabilities logged) and the
customer answers from the latent truth. Three adaptive models learn from the first half
of the log: without associations, with association rules (minimum 30 customers) as a
feature, and the same with the rules' lift as a context weight. On the second half,
each model's greedy policy (highest priority) is evaluated with IPS, SNIPS and doubly
robust estimates of margin per call and 95% intervals, beside its true value; the
paired DR difference against the model without associations says what they add.

The synthetic truth has no product → product effect of its own (take-up depends on the
profile and the call), so associations can only help where holdings stand in for
profile fields the model sees anyway: expect a difference near zero here, and measure
again on a center's own log (``servesell model ope``).
"""

from __future__ import annotations

import argparse
import json
import math
import random
from typing import Any

import numpy as np

from channels import AT, REASONS, TRUTH, _bank  # the bench folder is on sys.path
from servesell.domain import CallContext, Customer, Offer
from servesell.learn.adaptive import AdaptivePropensity
from servesell.learn.associations import Associations
from servesell.learn.ope import Z95, LoggedChoice, evaluate_policy
from servesell.synth import generate_customers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(run(args.calls, args.seed)))


def run(calls: int, seed: int) -> dict[str, Any]:
    """Log, learn three ways, evaluate; see the module docstring."""
    schema, offers = _bank()
    customers = generate_customers(20_000, seed=seed, as_of=AT.date())
    rules = Associations.fit((c.holdings for c in customers), min_support=0.01)
    sample = customers[:5000]
    models = {
        "without": AdaptivePropensity.for_customers(schema, sample, at=AT.date(), seed=seed),
        "feature": AdaptivePropensity.for_customers(
            schema, sample, at=AT.date(), seed=seed, associations=rules
        ),
    }
    rng = random.Random(seed)
    log = [_logged(rng, customers, offers) for _ in range(calls)]
    half = calls // 2
    for customer, context, _, shown, accepted in log[:half]:
        for model in models.values():
            model.update(shown, customer, context, accepted)
    evaluation = log[half:]
    policies = {
        "without": _greedy(models["without"], weighted=False),
        "feature": _greedy(models["feature"], weighted=False),
        "feature_and_weight": _greedy(models["feature"], weighted=True),
    }
    choices = [_choice(models["without"], call) for call in evaluation]
    out: dict[str, Any] = {"calls_logged": calls, "rules": len(rules.rules)}
    for name, policy in policies.items():
        estimates = evaluate_policy(choices, policy)
        out[name] = {e.estimator: [round(e.value, 3), round(e.low, 3), round(e.high, 3)]
                     for e in estimates}  # fmt: skip
        out[name]["true_value"] = round(_true(evaluation, choices, policy), 3)
    for name in ("feature", "feature_and_weight"):
        out[f"difference_{name}"] = _paired_dr(choices, policies[name], policies["without"])
    return out


Logged = tuple[Customer, CallContext, list[Offer], Offer, bool]


def _logged(rng: random.Random, customers: list[Customer], offers: list[Offer]) -> Logged:
    customer = rng.choice(customers)
    context = CallContext(at=AT, reason=rng.choice(REASONS))
    eligible = rng.sample(offers, rng.randint(3, 6))
    shown = rng.choice(eligible)
    accepted = rng.random() < TRUTH.probability(shown.id, customer, context)
    return customer, context, eligible, shown, accepted


def _choice(model: AdaptivePropensity, call: Logged) -> LoggedChoice:
    customer, context, eligible, shown, accepted = call
    return LoggedChoice(
        actions=tuple(o.id for o in eligible),
        logging=tuple(1.0 / len(eligible) for _ in eligible),
        shown=(eligible.index(shown),),
        rewards=(shown.value * accepted,),
        q_hat=tuple(model.propensity(o, customer, context) * o.value for o in eligible),
        context=(customer, context, eligible),
    )


def _greedy(model: AdaptivePropensity, *, weighted: bool):
    def policy(choice: LoggedChoice) -> list[float]:
        customer, context, eligible = choice.context

        def priority(o: Offer) -> float:
            weight = model.affinity(customer, o)[0] if weighted else 1.0
            return model.propensity(o, customer, context) * o.value * o.lever * weight

        best = max(eligible, key=priority)
        return [1.0 if o is best else 0.0 for o in eligible]

    return policy


def _true(evaluation: list[Logged], choices: list[LoggedChoice], policy) -> float:
    total = 0.0
    for (customer, context, eligible, _, _), choice in zip(evaluation, choices, strict=True):
        for o, p in zip(eligible, policy(choice), strict=True):
            total += p * TRUTH.probability(o.id, customer, context) * o.value
    return total / len(evaluation)


def _paired_dr(choices: list[LoggedChoice], a, b) -> list[float]:
    terms = []
    for c in choices:
        j, r = c.shown[0], c.rewards[0]
        pa, pb = a(c), b(c)
        model = math.fsum((x - y) * q for x, y, q in zip(pa, pb, c.q_hat, strict=True))
        terms.append(model + (pa[j] - pb[j]) / c.logging[j] * (r - c.q_hat[j]))
    x = np.array(terms)
    mean, se = float(x.mean()), float(x.std(ddof=1)) / math.sqrt(len(x))
    return [round(mean, 3), round(mean - Z95 * se, 3), round(mean + Z95 * se, 3)]


if __name__ == "__main__":
    main()
