"""A discrete-event simulator of an inbound contact center, with the load gate in the loop."""

from servesell.sim.arrivals import Calls, draw_calls
from servesell.sim.bank import BANK_OFFERS, bank_scenario
from servesell.sim.engine import simulate
from servesell.sim.frontier import FrontierPoint, sweep
from servesell.sim.results import IntervalStats, SimResult
from servesell.sim.scenario import CrossSell, OfferSpec, Scenario
from servesell.sim.shifts import cover_with_shifts, required_agents

__all__ = [
    "BANK_OFFERS",
    "Calls",
    "CrossSell",
    "FrontierPoint",
    "IntervalStats",
    "OfferSpec",
    "Scenario",
    "SimResult",
    "bank_scenario",
    "cover_with_shifts",
    "draw_calls",
    "required_agents",
    "simulate",
    "sweep",
]
