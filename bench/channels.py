"""Learned channel choice against the fixed threshold, by off-policy evaluation.

Prints one JSON line. On the synthetic bank with its known truth per channel
(``LatentPropensity.channel_probability``: older customers read SMS, young app users
WeChat, affluent ones e-mail), ``--calls`` calls each bring one offer; the logging
policy makes it on a channel drawn uniformly among those that reach the customer
(probabilities logged), under a queue that is quiet, busy or very busy. The adaptive
model learns from the first half of the log (every channel's answers); on the second
half, frozen, two target policies are evaluated with IPS, SNIPS and doubly robust
estimates and 95% intervals of net value per call (value × accepted − cost):

* ``threshold`` — the default: in the call when priority per extra talk second clears
  0.05, otherwise the first digital channel that reaches the customer;
* ``learned`` — the channel with the best expected value net of its cost (talk seconds
  at the queue's Erlang-A shadow price, message prices), none when nothing pays.

``true_value`` is each policy's expected net value on the same calls from the truth, so
the intervals can be checked; ``difference`` is the paired IPS estimate of learned minus
threshold with its interval.

``twin`` plays the same comparison in the digital twin (``servesell simulate --learn``):
the bank scenario at its design load (``--twin-scale`` of the center), one day per seed,
the production engine with the adaptive model learning from every answer as it runs
and the live load gate; per seed, net value per answered call (in-call and message
revenue less talk seconds at the agent's price and message prices) under each choice,
and the paired difference's mean with its 95% t interval over ``--twin-seeds`` seeds
(seeds 11, 12, ...; nothing was tuned on them).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import random
from typing import Any

import numpy as np
import yaml

from servesell.decide.channel import (
    ChannelPrices,
    choose_by_net_value,
    choose_channel,
    net_options,
    reachable,
)
from servesell.domain import CallContext, Customer, Offer, ProfileSchema, QueueState, Scores
from servesell.learn.adaptive import AdaptivePropensity
from servesell.learn.ope import Z95, LoggedChoice, evaluate_policy
from servesell.queueing.gate.always import AlwaysGate
from servesell.synth import (
    LatentPropensity,
    bank_catalog_path,
    bank_schema_path,
    generate_customers,
)

AT = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
REASONS = ("billing_inquiry", "repayment", "limit_inquiry", "card_activation", "other")
TRUTH = LatentPropensity()
PRICES = ChannelPrices()
THRESHOLD = 0.05
LOADS = ((0.6, 10, 400.0), (0.3, 10, 560.0), (0.1, 10, 620.0))
"""(share of calls, agents, calls per hour) at 180 s handle time: quiet, busy, very busy."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--twin-seeds", type=int, default=10, help="0: no twin runs")
    parser.add_argument("--twin-scale", type=float, default=0.25)
    args = parser.parse_args()
    out = run(args.calls, args.seed)
    if args.twin_seeds:
        out["twin"] = twin(args.twin_seeds, args.twin_scale)
    print(json.dumps(out))


def twin(seeds: int, scale: float) -> dict[str, Any]:
    """Net value per answered call in the twin, threshold vs learned choice, paired by seed."""
    from scipy import stats

    from servesell.decide import ContactPolicy
    from servesell.service.simulation import build_world, load_spec
    from servesell.sim import gate_for, play

    spec = load_spec("bank")
    scenario = spec.scenario("design", scale=scale)
    per_call: dict[str, list[float]] = {"threshold": [], "learned": []}
    levels: dict[str, list[float]] = {"threshold": [], "learned": []}
    for seed in range(11, 11 + seeds):
        for choice, values in per_call.items():
            policy = ContactPolicy.model_validate({"channel_choice": choice})
            people = round(spec.customers * scale)
            world = build_world(spec, seed=seed, customers=people, policy=policy, learn=True)
            result = play(scenario, world, gate_for(scenario, "gated"), seed=seed)
            values.append(result.net_value / result.answered)
            levels[choice].append(result.service_level)
    gain = np.array(per_call["learned"]) - np.array(per_call["threshold"])
    half = float(stats.t.ppf(0.975, seeds - 1) * gain.std(ddof=1) / math.sqrt(seeds))
    mean = float(gain.mean())
    return {
        "seeds": seeds,
        "calls_per_day": round(scenario.calls_per_day),
        "threshold_net_per_call": round(float(np.mean(per_call["threshold"])), 3),
        "learned_net_per_call": round(float(np.mean(per_call["learned"])), 3),
        "difference_per_call": [round(mean, 3), round(mean - half, 3), round(mean + half, 3)],
        "learned_wins": int((gain > 0).sum()),
        "lowest_service_level": {k: round(min(v), 4) for k, v in levels.items()},
    }


def run(calls: int, seed: int) -> dict[str, Any]:
    """Log, learn, evaluate; see the module docstring."""
    schema, offers = _bank()
    customers = _contactable(generate_customers(20_000, seed=seed, as_of=AT.date()), seed)
    model = AdaptivePropensity.for_customers(schema, customers[:5000], at=AT.date(), seed=seed)
    talk = _talk_prices()
    rng = random.Random(seed)
    log = [_logged_call(rng, customers, offers, talk) for _ in range(calls)]
    half = calls // 2
    for call in log[:half]:
        customer, context, offer, _, channel, accepted, _ = call
        model.update(offer, customer, context, accepted, channel)
    evaluation = log[half:]
    choices = [_choice(model, call) for call in evaluation]
    policies = {"threshold": _threshold(model), "learned": _learned(model)}
    out: dict[str, Any] = {"calls_logged": calls, "calls_evaluated": len(evaluation)}
    for name, policy in policies.items():
        estimates = evaluate_policy(choices, policy)
        out[name] = {
            e.estimator: [round(e.value, 3), round(e.low, 3), round(e.high, 3)] for e in estimates
        }
        out[name]["true_value"] = round(_true_value(evaluation, choices, policy), 3)
    out["difference"] = _difference(choices, policies["learned"], policies["threshold"])
    out["true_difference"] = round(out["learned"]["true_value"] - out["threshold"]["true_value"], 3)
    out["logging_value"] = round(float(np.mean([c.rewards[0] for c in choices])), 3)
    return out


def _bank() -> tuple[ProfileSchema, list[Offer]]:
    fields = yaml.safe_load(bank_schema_path().read_text(encoding="utf-8"))["fields"]
    offers = yaml.safe_load(bank_catalog_path().read_text(encoding="utf-8"))["offers"]
    return ProfileSchema.from_mapping(fields), [Offer.model_validate(o) for o in offers]


def _contactable(customers: list[Customer], seed: int) -> list[Customer]:
    """Give 60% of customers a WeChat openid and 40% an e-mail address (seeded)."""
    rng = random.Random(seed + 7)
    return [
        dataclasses.replace(
            c,
            wechat_openid=f"o{c.id}" if rng.random() < 0.6 else None,
            email=f"{c.id.lower()}@example.com" if rng.random() < 0.4 else None,
        )
        for c in customers
    ]


def _talk_prices() -> list[tuple[float, float]]:
    """(share, price of a talk second) for each queue load, from the gate's shadow cost."""
    gate = AlwaysGate()
    out = []
    for share, agents, rate in LOADS:
        state = QueueState(
            at=AT,
            calls_waiting=0,
            agents_staffed=agents,
            agents_available=0,
            arrival_rate_per_hour=rate,
            aht_seconds=180.0,
        )
        out.append((share, PRICES.talk_second(gate.wait_per_talk_second(state))))
    return out


Call = tuple[Customer, CallContext, Offer, float, Any, bool, float]


def _logged_call(
    rng: random.Random,
    customers: list[Customer],
    offers: list[Offer],
    talk: list[tuple[float, float]],
) -> Call:
    customer = rng.choice(customers)
    context = CallContext(at=AT, reason=rng.choice(REASONS))
    offer = rng.choice(offers)
    price = rng.choices([p for _, p in talk], weights=[s for s, _ in talk])[0]
    channel = rng.choice(reachable(offer, customer))
    p = TRUTH.channel_probability(offer.id, channel.value, customer, context)
    accepted = rng.random() < p
    reward = offer.value * accepted - PRICES.cost(channel, offer, price)
    return customer, context, offer, price, channel, accepted, reward


def _options(model: AdaptivePropensity, choice: LoggedChoice) -> dict[Any, Scores]:
    customer, context, offer, price = choice.context
    scores = Scores(model.propensity(offer, customer, context), offer.value, lever=offer.lever)
    return net_options(
        offer, customer, context, scores, model=model, prices=PRICES, talk_second=price
    )


def _choice(model: AdaptivePropensity, call: Call) -> LoggedChoice:
    customer, context, offer, price, channel, _, reward = call
    actions = reachable(offer, customer)
    partial = LoggedChoice((), (), (), (), (), (customer, context, offer, price))
    options = _options(model, partial)
    return LoggedChoice(
        actions=tuple(a.value for a in actions),
        logging=tuple(1.0 / len(actions) for _ in actions),
        shown=(actions.index(channel),),
        rewards=(reward,),
        q_hat=tuple(options[a].net for a in actions),
        context=(customer, context, offer, price),
    )


def _one_hot(choice: LoggedChoice, channel: Any) -> list[float]:
    return [1.0 if channel is not None and a == channel.value else 0.0 for a in choice.actions]


def _threshold(model: AdaptivePropensity):
    def policy(choice: LoggedChoice) -> list[float]:
        customer, context, offer, _ = choice.context
        priority = model.propensity(offer, customer, context) * offer.value * offer.lever
        channel, _ = choose_channel(offer, customer, priority, THRESHOLD)
        return _one_hot(choice, channel)

    return policy


def _learned(model: AdaptivePropensity):
    def policy(choice: LoggedChoice) -> list[float]:
        channel, _ = choose_by_net_value(_options(model, choice))
        return _one_hot(choice, channel)

    return policy


def _true_value(evaluation: list[Call], choices: list[LoggedChoice], policy) -> float:
    total = 0.0
    for call, choice in zip(evaluation, choices, strict=True):
        customer, context, offer, price, *_ = call
        for action, p in zip(choice.actions, policy(choice), strict=True):
            if p:
                truth = TRUTH.channel_probability(offer.id, action, customer, context)
                cost = PRICES.cost(_channel(action), offer, price)
                total += p * (truth * offer.value - cost)
    return total / len(evaluation)


def _channel(value: str) -> Any:
    from servesell.domain import Channel

    return Channel(value)


def _difference(choices: list[LoggedChoice], a, b) -> dict[str, list[float]]:
    """Paired IPS and DR estimates of policy ``a`` minus ``b`` per call, 95% intervals.

    Pairing on the same calls cancels what both policies do alike; the doubly robust
    terms also subtract the reward model's prediction, which narrows the interval.
    """
    ips, dr = [], []
    for c in choices:
        j, r = c.shown[0], c.rewards[0]
        pa, pb = a(c), b(c)
        w = (pa[j] - pb[j]) / c.logging[j]
        ips.append(w * r)
        model = math.fsum((x - y) * q for x, y, q in zip(pa, pb, c.q_hat, strict=True))
        dr.append(model + w * (r - c.q_hat[j]))
    return {"ips": _interval(ips), "dr": _interval(dr)}


def _interval(terms: list[float]) -> list[float]:
    x = np.array(terms)
    mean, se = float(x.mean()), float(x.std(ddof=1)) / math.sqrt(len(x))
    return [round(mean, 3), round(mean - Z95 * se, 3), round(mean + Z95 * se, 3)]


if __name__ == "__main__":
    main()
