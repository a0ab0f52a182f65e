"""The digital twin of the hotline: a discrete-event center with the real engine in the loop."""

from servesell.sim.arrivals import Calls, draw_calls
from servesell.sim.bank import bank_scenario
from servesell.sim.compare import Cell, Comparison, choose_static, compare_cell
from servesell.sim.engine import Seller, simulate
from servesell.sim.frontier import FrontierPoint, gate_for, play, sweep
from servesell.sim.plan import LOADS, ScenarioSpec
from servesell.sim.results import IntervalStats, SimResult
from servesell.sim.scenario import Scenario
from servesell.sim.shifts import cover_with_shifts, required_agents
from servesell.sim.twin import DayCatalog, FrozenScores, TwinSeller, World

__all__ = [
    "LOADS",
    "Calls",
    "Cell",
    "Comparison",
    "DayCatalog",
    "FrontierPoint",
    "FrozenScores",
    "IntervalStats",
    "Scenario",
    "ScenarioSpec",
    "Seller",
    "SimResult",
    "TwinSeller",
    "World",
    "bank_scenario",
    "choose_static",
    "compare_cell",
    "cover_with_shifts",
    "draw_calls",
    "gate_for",
    "play",
    "required_agents",
    "simulate",
    "sweep",
]
