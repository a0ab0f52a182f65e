"""Learned channel choice: the channel with the best expected value net of its cost wins."""

from __future__ import annotations

import random

from servesell.decide import ContactPolicy
from servesell.decide.channel import ChannelPrices, choose_by_net_value
from servesell.decide.explain import why_not
from servesell.decide.reasons import Selection
from servesell.domain import Channel, Fate, QueueState, Scores
from servesell.queueing.gate.always import AlwaysGate
from support.decide import NOW, context, customer, make_engine, offer


class ByChannel:
    """A model that knows take-up per channel: the call 10%, SMS as given."""

    def __init__(self, sms: float) -> None:
        self.sms = sms

    def propensity(self, offer, customer, context) -> float:
        return 0.1

    def sample(self, offer, customer, context, rng: random.Random) -> float:
        return 0.1

    def channel_propensity(self, offer, channel, customer, context) -> float:
        return 0.1 if channel is Channel.IN_CALL else self.sms


def _state(rate: float) -> QueueState:
    return QueueState(
        at=NOW,
        calls_waiting=0,
        agents_staffed=10,
        agents_available=0,
        arrival_rate_per_hour=rate,
        aht_seconds=180.0,
    )


def _decide(sms: float, *, rate: float = 100.0, prices: ChannelPrices | None = None):
    engine = make_engine(
        [offer("card", value=100.0, extra_handle_seconds=60)],
        policy=ContactPolicy(explore_share=0.0, channel_choice="learned"),
        model=ByChannel(sms),
        prices=prices,
        gate=AlwaysGate(),
    )
    return engine.decide(customer(), context(), queue_state=_state(rate)).candidate("card")


def test_the_call_wins_when_it_earns_more_net_of_its_talk_time() -> None:
    c = _decide(sms=0.02)
    assert (c.fate, c.channel, c.reason) == (Fate.SHOWN, Channel.IN_CALL, Selection.BEST)
    wait = AlwaysGate().wait_per_talk_second(_state(100.0))
    assert c.scores.cost == 60 * ChannelPrices().talk_second(wait)
    assert c.scores.net == 10.0 - c.scores.cost


def test_a_message_wins_when_the_customer_answers_it_almost_as_well() -> None:
    c = _decide(sms=0.095)
    assert (c.fate, c.channel, c.reason) == (Fate.DIGITAL, Channel.SMS, Selection.NET_DIGITAL)
    assert c.scores.propensity == 0.095
    assert c.scores.cost == ChannelPrices().message[Channel.SMS]


def test_a_busy_queue_prices_talk_time_up_and_sends_the_offer_digitally() -> None:
    prices = ChannelPrices(wait_second=0.5)
    quiet = _decide(sms=0.06, rate=100.0, prices=prices)
    busy = _decide(sms=0.06, rate=195.0, prices=prices)
    assert quiet.channel is Channel.IN_CALL
    assert busy.channel is Channel.SMS


def test_nothing_is_made_when_no_channel_earns_its_cost() -> None:
    prices = ChannelPrices(agent_second=1.0, message={Channel.SMS: 50.0})
    c = _decide(sms=0.05, prices=prices)
    assert (c.fate, c.reason) == (Fate.NOT_SELECTED, Selection.NO_NET_VALUE)


def test_the_why_names_the_cost_and_the_net_value() -> None:
    engine = make_engine(
        [offer("card", value=100.0)],
        policy=ContactPolicy(explore_share=0.0, channel_choice="learned"),
        model=ByChannel(0.095),
    )
    decision = engine.decide(customer(), context(), queue_state=_state(100.0))
    text = why_not(decision, "card")
    assert "routed to a sms follow-up" in text
    assert "− cost 0.05 on sms = net 9.45" in text


def test_ties_go_to_the_earlier_channel_and_an_empty_choice_has_no_channel() -> None:
    same = Scores(0.1, 100.0, cost=1.0)
    assert choose_by_net_value({Channel.IN_CALL: same, Channel.SMS: same})[0] is Channel.IN_CALL
    assert choose_by_net_value({})[0] is None


def test_the_shadow_cost_of_talk_grows_with_the_load() -> None:
    gate = AlwaysGate()
    quiet, busy = (gate.wait_per_talk_second(_state(r)) for r in (100.0, 195.0))
    assert 0.0 <= quiet < busy
    assert gate.wait_per_talk_second(None) == 0.0


def _two_offers(prices: ChannelPrices | None = None):
    engine = make_engine(
        [
            offer(name, value=value, extra_handle_seconds=60)
            for name, value in (("card", 100.0), ("loan", 90.0))
        ],
        policy=ContactPolicy(explore_share=0.0, channel_choice="learned", top_k=1),
        model=ByChannel(0.02),
        prices=prices,
        gate=AlwaysGate(),
    )
    return engine.decide(customer(), context(), queue_state=_state(100.0))


def test_an_offer_the_call_has_no_room_for_goes_to_its_paying_message() -> None:
    decision = _two_offers()
    assert decision.candidate("card").fate is Fate.SHOWN
    loan = decision.candidate("loan")
    assert (loan.fate, loan.channel, loan.reason) == (
        Fate.DIGITAL,
        Channel.SMS,
        Selection.NET_SPILL,
    )
    assert (loan.scores.propensity, loan.scores.cost) == (
        0.02,
        ChannelPrices().message[Channel.SMS],
    )
    assert "a message still earns its cost" in why_not(decision, "loan")


def test_an_offer_the_call_has_no_room_for_stays_unmade_when_no_message_pays() -> None:
    decision = _two_offers(ChannelPrices(message={Channel.SMS: 50.0}))
    loan = decision.candidate("loan")
    assert (loan.fate, loan.channel, loan.reason) == (
        Fate.NOT_SELECTED,
        Channel.IN_CALL,
        Selection.OUTRANKED,
    )
