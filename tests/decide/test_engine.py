from __future__ import annotations

import random

import pytest

from servesell.decide import ContactPolicy, Selection, why_not
from servesell.domain import Channel, Fate, Mode
from servesell.queueing.gate import AlwaysGate, NeverGate
from support.decide import context, customer, make_engine, offer


class Constant:
    """A propensity model that returns fixed values per offer."""

    def __init__(self, values: dict[str, float]) -> None:
        self.values = values

    def propensity(self, offer, customer, context) -> float:
        return self.values[offer.id]

    def sample(self, offer, customer, context, rng: random.Random) -> float:
        return self.values[offer.id]


def test_priority_is_propensity_times_value_times_weight_times_lever() -> None:
    offers = [offer("a", value=100, lever=1.5), offer("b", value=300)]
    policy = ContactPolicy(explore_share=0, context_weights={"billing_inquiry": {"a": 2.0}})
    engine = make_engine(offers, policy=policy, model=Constant({"a": 0.2, "b": 0.1}))
    decision = engine.decide(customer(), context())
    a, b = decision.candidate("a"), decision.candidate("b")
    assert a.scores.priority == pytest.approx(0.2 * 100 * 2.0 * 1.5)
    assert b.scores.priority == pytest.approx(0.1 * 300)
    assert [c.offer_id for c in decision.shown] == ["a"]
    assert b.fate is Fate.NOT_SELECTED
    assert b.reason == Selection.OUTRANKED


def test_ineligible_and_inactive_offers_are_not_candidates() -> None:
    offers = [offer("rich", rule="credit_limit >= 100000"), offer("off", status="paused"), offer()]
    decision = make_engine(offers).decide(customer(), context())
    assert decision.ineligible == ("rich",)
    assert decision.candidate("off") is None
    assert "not eligible" in why_not(decision, "rich")
    assert "not a candidate" in why_not(decision, "off")


def test_null_rule_result_means_not_eligible() -> None:
    decision = make_engine([offer(rule="age > 30")]).decide(
        customer(attributes={"age": None}), context()
    )
    assert decision.ineligible == ("o1",)


def test_low_value_per_second_goes_to_a_digital_channel() -> None:
    offers = [offer("cheap", value=1, channels=["in_call", "wechat", "sms"])]
    decision = make_engine(offers).decide(customer(), context())
    cand = decision.candidate("cheap")
    assert cand.fate is Fate.DIGITAL
    assert cand.channel is Channel.SMS  # no WeChat openid, so the next reachable channel
    assert cand.reason == Selection.DIGITAL_VALUE


def test_serve_mode_shows_nothing_but_logs_every_candidate() -> None:
    engine = make_engine([offer(channels=["in_call"])], gate=NeverGate())
    decision = engine.decide(customer(), context())
    assert decision.mode is Mode.SERVE
    assert decision.shown == ()
    assert decision.candidate("o1").reason == Selection.GATE_CLOSED


def test_when_busy_an_offer_that_fits_a_digital_channel_goes_digital() -> None:
    engine = make_engine([offer("o1"), offer("o2", channels=["in_call"])], gate=NeverGate())
    decision = engine.decide(customer(), context())
    assert decision.shown == ()
    sent = decision.candidate("o1")
    assert (sent.fate, sent.channel, sent.reason) == (
        Fate.DIGITAL,
        Channel.SMS,
        Selection.DIGITAL_BUSY,
    )
    assert decision.candidate("o2").reason == Selection.GATE_CLOSED


def test_exploration_logs_probabilities_that_sum_to_one() -> None:
    offers = [offer(f"o{i}", value=100 + i) for i in range(4)]
    engine = make_engine(offers, policy=ContactPolicy(explore_share=0.2), seed=5)
    explored = 0
    for i in range(300):
        decision = engine.decide(customer(f"C{i}"), context())
        in_call = [c for c in decision.candidates if c.channel is Channel.IN_CALL]
        assert sum(c.probability for c in in_call) == pytest.approx(1.0)
        shown = decision.shown[0]
        assert shown.probability >= 0.2 / 4
        explored += decision.explored
    assert 35 < explored < 90


def test_same_seed_gives_the_same_decisions() -> None:
    offers = [offer(f"o{i}", value=100 + i) for i in range(3)]

    def run() -> list[tuple[str, tuple[str, ...]]]:
        engine = make_engine(offers, policy=ContactPolicy(explore_share=0.5), seed=9)
        out = []
        for i in range(50):
            d = engine.decide(customer(f"C{i}"), context())
            out.append((d.id, tuple(c.offer_id for c in d.shown)))
        return out

    assert run() == run()


def test_caps_limit_how_many_offers_one_call_makes() -> None:
    from servesell.decide import Caps

    policy = ContactPolicy(explore_share=0, top_k=3, caps=Caps(per_day=1))
    offers = [offer(f"o{i}", value=100 + i, extra_handle_seconds=30) for i in range(3)]
    decision = make_engine(offers, policy=policy).decide(customer(), context())
    assert len(decision.shown) == 1


def test_a_priced_gate_sends_offers_below_its_talk_price_to_a_digital_channel() -> None:
    class Priced(AlwaysGate):
        def admits(self, queue_state: object, value_per_second: float) -> bool:
            return value_per_second >= 1.0

    offers = [
        offer("rich", value=1000),  # 0.1 x 1000 / 60 s = 1.67 a second
        offer("poor", value=300),  # 0.5 a second: digital
        offer("poor_call_only", value=300, channels=["in_call"]),
    ]
    decision = make_engine(offers, gate=Priced(budget_seconds=600)).decide(customer(), context())
    assert [c.offer_id for c in decision.shown] == ["rich"]
    poor = decision.candidate("poor")
    assert (poor.fate, poor.reason) == (Fate.DIGITAL, Selection.DIGITAL_PRICE)
    left = decision.candidate("poor_call_only")
    assert (left.fate, left.reason) == (Fate.NOT_SELECTED, Selection.BELOW_PRICE)
