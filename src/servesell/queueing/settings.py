"""The load gate a supervisor chose, as stored settings every worker builds the same gate from.

>>> GateSettings(kind="threshold", max_waiting=3).build().spec
'threshold:3'
>>> GateSettings(kind="gated").build().spec
'gated'
>>> GateSettings(kind="steered").build().spec
'steered'
>>> GateSettings().build().spec
'valued_guarded'
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from servesell.queueing.forecast import DayForecast
from servesell.queueing.gate import GatePolicy, make_gate
from servesell.queueing.load import Target

GateKind = Literal[
    "threshold",
    "steered",
    "valued",
    "valued_gated",
    "valued_guarded",
    "valued_sized",
    "gated",
    "always",
    "never",
]
DEFAULT_GATE_KIND: GateKind = "valued_guarded"
"""The live default gate (``GateSettings().kind``; also the demo's)."""


class GateSettings(BaseModel):
    """Which gate, and its knobs.

    ``valued_guarded`` (the default since issue 19's ``gate19c``): the ``valued`` price on
    talk time with a busy-day guard — on a day whose calls so far exceed the forecast's
    by 3% (or whose level is 10 points below target) no offer's threshold moves up and
    ``gated`` must agree too; on the twin's held-out days it kept the target on all 18
    and passed 15 of 18 cells (``docs/simulation.md``). It needs ``forecast`` (the WFM
    plan) and the ACD's ``service_level_today`` and ``calls_today`` to do what was
    measured: without any of them it cannot tell a busy day and is ``gated``'s Erlang A
    check alone (every offer admitted). ``gated`` computes the room from Erlang A for the
    current staffing and arrival rate against the service target; ``steered`` sells
    while at most N calls wait, N moved by the day's running service level against the
    target (``max_waiting`` until the ACD reports that level; opt-in: on held-out days
    it earned more than ``gated`` but missed the target twice); ``valued`` /
    ``valued_gated`` add a price on talk time per offer to ``steered`` / ``gated``
    (opt-in: more held-out revenue, but days below target); ``valued_sized`` is
    ``valued_guarded`` whose busy-day trigger also waits for one standard deviation of
    the center's Poisson noise (opt-in: the same held-out cells); ``threshold`` sells
    while at most ``max_waiting`` calls wait; ``always`` / ``never`` are the two ends.
    ``hold_seconds`` is the hysteresis (sell again only after that long with room). With
    no queue feed at all the gate sells when ``sell_when_unknown`` (a center that has not
    connected its ACD yet), else serves.
    ``default_aht_seconds`` is used by ``gated`` until handle times are reported.
    ``forecast`` (the day's arrivals and planned agents per interval, from the WFM) lets
    ``steered``, the valued gates and ``gated`` aim at the end-of-day service level
    (target + 0.75 point for ``steered``, + 1 point for the valued ones, + ``safety`` for
    ``gated``) when the ACD reports the day's service level and call count; without it
    they steer the running level.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: GateKind = DEFAULT_GATE_KIND
    max_waiting: int = Field(default=2, ge=0, le=10_000)
    budget_seconds: float = Field(default=300.0, ge=0, le=3600)
    hold_seconds: float = Field(default=0.0, ge=0, le=3600)
    sell_when_unknown: bool = True
    target_level: float = Field(default=0.8, gt=0, lt=1)
    target_seconds: float = Field(default=20.0, ge=0, le=3600)
    patience_seconds: float = Field(default=300.0, gt=0, le=86_400)
    offer_seconds: float = Field(default=60.0, gt=0, le=3600)
    default_aht_seconds: float = Field(default=187.0, gt=0, le=86_400)
    forecast: DayForecast | None = None
    safety: float = Field(default=0.01, gt=-0.5, lt=0.5)

    def build(self) -> GatePolicy:
        """The gate these settings describe."""
        spec = f"threshold:{self.max_waiting}" if self.kind == "threshold" else self.kind
        return make_gate(
            spec,
            budget_seconds=self.budget_seconds,
            hold_seconds=self.hold_seconds,
            target=Target(self.target_level, self.target_seconds),
            patience_seconds=self.patience_seconds,
            sell_when_unknown=self.sell_when_unknown,
            offer_seconds=self.offer_seconds,
            forecast=self.forecast,
            safety=self.safety,
            unknown_waiting=self.max_waiting,
        )
