"""One request's round trip through the store and the engines, shared by api, web and cli.

Names are loaded when first used, so ``import servesell.service.screen`` (the hot path)
never pays for the demo or the learners' libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from servesell.service.catalog import RuleCheck, check_rule, retire_offer, save_offer
    from servesell.service.demo import DemoConfig, DemoResult, run_demo
    from servesell.service.engines import EngineSource, FixedEngine, LiveEngine, build_engine
    from servesell.service.gate import change_gate
    from servesell.service.kpis import kpis_by
    from servesell.service.outcomes import record
    from servesell.service.policy import change_policy
    from servesell.service.queues import LoadCache, QueueMode
    from servesell.service.screen import CallDesk, ScreenPop
    from servesell.service.tokens import TokenCache
    from servesell.service.views import DecisionView

_HOME = {
    "CallDesk": "screen",
    "DecisionView": "views",
    "DemoConfig": "demo",
    "DemoResult": "demo",
    "EngineSource": "engines",
    "FixedEngine": "engines",
    "LiveEngine": "engines",
    "LoadCache": "queues",
    "QueueMode": "queues",
    "RuleCheck": "catalog",
    "ScreenPop": "screen",
    "TokenCache": "tokens",
    "build_engine": "engines",
    "change_gate": "gate",
    "change_policy": "policy",
    "check_rule": "catalog",
    "kpis_by": "kpis",
    "record": "outcomes",
    "retire_offer": "catalog",
    "run_demo": "demo",
    "save_offer": "catalog",
}

__all__ = [
    "CallDesk",
    "DecisionView",
    "DemoConfig",
    "DemoResult",
    "EngineSource",
    "FixedEngine",
    "LiveEngine",
    "LoadCache",
    "QueueMode",
    "RuleCheck",
    "ScreenPop",
    "TokenCache",
    "build_engine",
    "change_gate",
    "change_policy",
    "check_rule",
    "kpis_by",
    "record",
    "retire_offer",
    "run_demo",
    "save_offer",
]


def __getattr__(name: str) -> Any:
    """Import the module that holds ``name`` on first use (PEP 562)."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
