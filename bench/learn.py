"""Online learning: update speed, ranking against the truth, and reward as a bandit.

Prints one JSON line.

* ``updates_per_s``: :meth:`AdaptivePropensity.update` end to end (features included) on one
  core, over ``--outcomes`` synthetic outcomes (goal >= 150,000/s), by the wall clock;
  ``updates_per_cpu_s`` is the same over the CPU time the process got, which a machine
  shared with other work does not shrink (``load_average`` says how shared); the same run gives
  ``auc_gap_vs_truth`` (expected AUC of the true propensities minus that of the learned
  ones on held-out customers, pooled over offers) and ``mean_auc_gap_per_offer``.
* ``reward_ratio_vs_*``: cumulative margin of the adaptive policy (Thompson sampling on the
  model, updated after every call) over ``--steps`` calls of the synthetic bank, divided by
  that of a uniformly random policy, of the oracle that knows the latent truth, and of the
  peer library mabwiser (LinTS on the same features, refitted every ``--batch`` calls since
  its API learns in batches). All policies see the same callers, eligible offers and
  random numbers for the customers' answers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import time
from typing import TYPE_CHECKING

import numpy as np
import yaml
from mabwiser.mab import MAB, LearningPolicy

from servesell.domain import CallContext, Customer, Offer, ProfileSchema
from servesell.learn.adaptive import AdaptivePropensity
from servesell.learn.metrics import expected_auc
from servesell.synth import (
    LatentPropensity,
    bank_catalog_path,
    bank_schema_path,
    generate_customers,
)

if TYPE_CHECKING:
    from collections.abc import Callable

AT = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
REASONS = ("billing_inquiry", "repayment", "limit_inquiry", "card_activation", "other")
TRUTH = LatentPropensity()
Call = tuple[Customer, CallContext, list[Offer], float]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--outcomes", type=int, default=200_000)
    parser.add_argument("--steps", type=int, default=30_000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--peer-alpha", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the goal says
    schema, offers = _bank()
    customers = generate_customers(30_000, seed=args.seed, as_of=AT.date())
    (speed, cpu_speed), gaps = _learning(schema, offers, customers, args.outcomes, args.seed)
    calls = _calls(customers, offers, args.steps, args.seed)
    rewards = {
        "adaptive": _play(calls, _adaptive(schema, customers, args.seed)),
        "random": _play(calls, _random(args.seed)),
        "oracle": _play(calls, _oracle),
        "peer": _peer(calls, schema, customers, args, args.seed),
    }
    ours = rewards["adaptive"]
    result = {
        "updates_per_s": round(speed),
        "updates_per_cpu_s": round(cpu_speed),
        "reward_ratio_vs_random": round(ours / rewards["random"], 3),
        "reward_ratio_vs_oracle": round(ours / rewards["oracle"], 3),
        "reward_ratio_vs_peer": round(ours / rewards["peer"], 3),
        "auc_gap_vs_truth": round(gaps[0], 4),
        "mean_auc_gap_per_offer": round(gaps[1], 4),
        "outcomes": args.outcomes,
        "steps": args.steps,
        "peer": f"mabwiser LinTS alpha {args.peer_alpha}, batch {args.batch}",
        "reward_per_call": {k: round(v / args.steps, 3) for k, v in rewards.items()},
        "goal_updates_per_s": 150_000,
        "goal_reward_ratio_vs_peer": 1.1,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result))


def _bank() -> tuple[ProfileSchema, list[Offer]]:
    fields = yaml.safe_load(bank_schema_path().read_text(encoding="utf-8"))["fields"]
    offers = yaml.safe_load(bank_catalog_path().read_text(encoding="utf-8"))["offers"]
    return ProfileSchema.from_mapping(fields), [Offer.model_validate(o) for o in offers]


def _learning(
    schema: ProfileSchema, offers: list[Offer], customers: list[Customer], n: int, seed: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    rng = random.Random(seed)
    train, held_out = customers[:20_000], customers[20_000:]
    model = AdaptivePropensity.for_customers(schema, train[:5000], at=AT.date(), seed=seed)
    stream = []
    for _ in range(n):
        c, o = rng.choice(train), rng.choice(offers)
        ctx = CallContext(at=AT, reason=rng.choice(REASONS))
        stream.append((o, c, ctx, rng.random() < TRUTH.propensity(o, c, ctx)))
    began, cpu = time.perf_counter(), time.process_time()
    for o, c, ctx, accepted in stream:
        model.update(o, c, ctx, accepted)
    speed = (n / (time.perf_counter() - began), n / (time.process_time() - cpu))
    s, p, ids = [], [], []
    for c in held_out:
        ctx = CallContext(at=AT, reason=rng.choice(REASONS))
        for o in offers:
            s.append(model.propensity(o, c, ctx))
            p.append(TRUTH.propensity(o, c, ctx))
            ids.append(o.id)
    sa, pa, ia = np.array(s), np.array(p), np.array(ids)
    pooled = expected_auc(pa, pa) - expected_auc(sa, pa)
    per_offer = [
        expected_auc(pa[ia == o.id], pa[ia == o.id]) - expected_auc(sa[ia == o.id], pa[ia == o.id])
        for o in offers
    ]
    return speed, (pooled, float(np.mean(per_offer)))


def _calls(customers: list[Customer], offers: list[Offer], steps: int, seed: int) -> list[Call]:
    """Callers with 3-6 eligible offers each and the uniform deciding their answer."""
    rng = random.Random(seed + 1)
    return [
        (
            rng.choice(customers),
            CallContext(at=AT, reason=rng.choice(REASONS)),
            rng.sample(offers, rng.randint(3, 6)),
            rng.random(),
        )
        for _ in range(steps)
    ]


Chooser = tuple["Callable[[Call], Offer]", "Callable[[Call, Offer, bool], None]"]


def _play(calls: list[Call], policy: Chooser) -> float:
    choose, learn = policy
    total = 0.0
    for call in calls:
        customer, context, _, u = call
        offer = choose(call)
        accepted = u < TRUTH.propensity(offer, customer, context)
        learn(call, offer, accepted)
        total += offer.value * accepted
    return total


def _adaptive(schema: ProfileSchema, customers: list[Customer], seed: int) -> Chooser:
    model = AdaptivePropensity.for_customers(schema, customers[:5000], at=AT.date(), seed=seed)

    def choose(call: Call) -> Offer:
        customer, context, eligible, _ = call
        return max(eligible, key=lambda o: model.draw(o, customer, context) * o.value)

    def learn(call: Call, offer: Offer, accepted: bool) -> None:
        model.update(offer, call[0], call[1], accepted)

    return choose, learn


def _random(seed: int) -> Chooser:
    rng = random.Random(seed + 2)
    return (lambda call: rng.choice(call[2])), (lambda call, offer, accepted: None)


def _oracle_choice(call: Call) -> Offer:
    customer, context, eligible, _ = call
    return max(eligible, key=lambda o: TRUTH.propensity(o, customer, context) * o.value)


_oracle: Chooser = (_oracle_choice, lambda call, offer, accepted: None)


def _peer(
    calls: list[Call],
    schema: ProfileSchema,
    customers: list[Customer],
    args: argparse.Namespace,
    seed: int,
) -> float:
    space = AdaptivePropensity.for_customers(schema, customers[:5000], at=AT.date()).space
    rows = [space.encode(c, ctx) for c, ctx, _, _ in calls]
    x = np.zeros((len(calls), space.size))
    for i, (ids, values) in enumerate(rows):
        x[i, ids] = values
    arms = sorted({o.id for _, _, eligible, _ in calls for o in eligible})
    mab = MAB(arms, LearningPolicy.LinTS(alpha=args.peer_alpha), seed=seed, n_jobs=1)
    batch = args.batch
    total, started, rng = 0.0, False, random.Random(seed + 3)
    for start in range(0, len(calls), batch):
        part = calls[start : start + batch]
        if started:
            beliefs = mab.predict_expectations(x[start : start + len(part)])
        else:
            beliefs = [{a: rng.random() for a in arms} for _ in part]  # a random start
        chosen, rewards = [], []
        for (customer, context, eligible, u), belief in zip(part, beliefs, strict=True):
            offer = max(eligible, key=lambda o: belief[o.id] * (o.value if started else 1.0))
            accepted = u < TRUTH.propensity(offer, customer, context)
            chosen.append(offer.id)
            rewards.append(int(accepted))
            total += offer.value * accepted
        xs = x[start : start + len(part)]
        mab.partial_fit(chosen, rewards, xs) if started else mab.fit(chosen, rewards, xs)
        started = True
    return total


if __name__ == "__main__":
    main()
