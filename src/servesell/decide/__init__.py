"""The next-best-offer decision engine: pure functions over domain objects, no I/O."""

from servesell.decide.catalog import Catalog, CompiledOffer
from servesell.decide.channel import follow_up_channel
from servesell.decide.control import control_draw, in_control_group
from servesell.decide.engine import Engine
from servesell.decide.explain import explain, explain_candidate, why_not
from servesell.decide.policy import Caps, ContactPolicy
from servesell.decide.prior import PriorPropensity
from servesell.decide.reasons import Selection, Suppression, describe
from servesell.decide.script import render_script

__all__ = [
    "Caps",
    "Catalog",
    "CompiledOffer",
    "ContactPolicy",
    "Engine",
    "PriorPropensity",
    "Selection",
    "Suppression",
    "control_draw",
    "describe",
    "explain",
    "explain_candidate",
    "follow_up_channel",
    "in_control_group",
    "render_script",
    "why_not",
]
