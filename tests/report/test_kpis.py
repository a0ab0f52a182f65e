"""Every KPI the source documents name, on a hand-computed fixture (docs/kpis.md).

Fixture: 10 calls by 2 agents on 1 day, 2 h logged in of 2.5 h paid; 7 offers presented,
3 sold in the call and 1 digitally; revenue 600 + 100; 420 s of offer talk; commission
30 + 5; 4 messages sent; 2 sales activated; 6 calls with an offer took 1,500 s, 4
without took 600 s; outbound: 30 dialled, 12 connected, 3 sold, 2 agent-days. Costs: an
agent-hour 36, a supervisor-hour 60 for 10 agents (42 per loaded hour), a message 0.5.
Selling cost = 420 s × 42/3600 + 35 + 4 × 0.5 = 4.9 + 35 + 2 = 41.9.
"""

from __future__ import annotations

import pytest

from servesell.report.costs import CostModel
from servesell.report.kpis import Tallies, kpis

COSTS = CostModel(agent_hour=36.0, supervisor_hour=60.0, agents_per_supervisor=10, message=0.5)
FIXTURE = Tallies(
    calls=10,
    calls_with_offer=6,
    calls_with_sale=3,
    offers_presented=7,
    accepted=3,
    declined=4,
    digital_accepted=1,
    revenue_in_call=600.0,
    revenue_digital=100.0,
    added_handle_seconds=420.0,
    commission_in_call=30.0,
    commission_digital=5.0,
    messages_sent=4,
    timed_calls_with_offer=6,
    handle_seconds_with_offer=1500.0,
    timed_calls_without_offer=4,
    handle_seconds_without_offer=600.0,
    agents=2,
    days=1,
    logged_in_seconds=7200.0,
    paid_seconds=9000.0,
    activations=2,
    outbound_calls=30,
    outbound_connects=12,
    outbound_sales=3,
    outbound_agent_days=2,
)


@pytest.fixture
def k():
    return kpis(FIXTURE, costs=COSTS)


def test_selling_cost_is_talk_time_plus_commission_plus_messages(k) -> None:
    assert k.selling_cost == pytest.approx(41.9)


def test_contacts_per_hour_are_calls_per_logged_in_agent_hour(k) -> None:
    assert k.contacts_per_hour == 5.0


def test_conversion_is_sales_over_offers_presented_in_the_call(k) -> None:
    assert k.conversion_rate == pytest.approx(3 / 7)


def test_share_of_calls_with_a_sale(k) -> None:
    assert k.call_sale_share == pytest.approx(0.3)


def test_cost_per_sale_counts_in_call_and_digital_sales(k) -> None:
    assert k.cost_per_sale == pytest.approx(41.9 / 4, abs=0.005)


def test_cost_per_activation(k) -> None:
    assert k.cost_per_activation == pytest.approx(41.9 / 2, abs=0.005)


def test_gross_margin_contribution_per_agent(k) -> None:
    assert k.gross_margin_contribution == pytest.approx(658.1)
    assert k.gross_margin_per_agent == pytest.approx(329.05)


def test_profit_contribution_per_day(k) -> None:
    assert k.profit_per_day == pytest.approx(658.1)


def test_occupancy_and_utilisation_are_distinct(k) -> None:
    assert k.occupancy == pytest.approx(2100 / 7200, abs=1e-4)
    assert k.utilisation == pytest.approx(2100 / 9000, abs=1e-4)
    assert k.occupancy != k.utilisation


def test_outbound_calls_per_agent_day_and_close_rate(k) -> None:
    assert k.calls_per_agent_day == 15.0
    assert k.close_rate == 0.25


def test_handle_time_with_and_without_an_offer(k) -> None:
    assert (k.aht_with_offer_seconds, k.aht_without_offer_seconds) == (250.0, 150.0)


def test_kpis_without_their_denominator_are_missing_not_zero() -> None:
    k = kpis(Tallies(calls=3), costs=COSTS)
    missing = (
        k.contacts_per_hour,
        k.occupancy,
        k.utilisation,
        k.cost_per_sale,
        k.cost_per_activation,
        k.gross_margin_per_agent,
        k.profit_per_day,
        k.calls_per_agent_day,
        k.close_rate,
    )
    assert missing == (None,) * len(missing)


def test_supervision_loads_every_agent_minute() -> None:
    assert COSTS.per_agent_minute == pytest.approx(0.7)
    assert CostModel(agents_per_supervisor=1, supervisor_hour=40, agent_hour=40).talk(3600) == 80
