"""The synthetic campaign world: callers, agents' and customers' answers, and the truth.

:class:`CampaignWorld` plays calls through a decision engine and writes what happens to a
:class:`Ledger` — the store through the call desk (:class:`StoreLedger`), or memory in
tests. Beside each call a *shadow* engine (the same catalog and policy, no hold-out) says
whether the campaign's offers would be shown, so each customer's true effect of
assignment is exact (:mod:`servesell.synth.campaign`).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from servesell.campaigns.holdout import govern
from servesell.decide import Catalog, Engine
from servesell.domain import Call, CallContext, Outcome, OutcomeResult
from servesell.domain.campaign import Campaign, CampaignRecord, CampaignState
from servesell.queueing.gate import AlwaysGate
from servesell.synth import LatentPropensity
from servesell.synth.campaign import (
    CampaignTruth,
    OfferChance,
    accept_chance,
    pre_period_purchases,
    unit_truth,
)
from servesell.synth.traffic import REASONS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import Connection

    from servesell.domain import Agent, Customer, Decision, Offer
    from servesell.service.screen import CallDesk


class Ledger(Protocol):
    """Where a played call goes: decided, answered, bought, surveyed."""

    def decide(self, customer_id: str, context: CallContext) -> Decision:
        """Decide (and log) the call."""
        ...

    def record(self, outcome: Outcome) -> None:
        """Keep an outcome."""
        ...

    def purchase(self, customer_id: str, product: str, at: dt.datetime, source: str) -> None:
        """Keep a purchase the core systems would report."""
        ...

    def survey(self, call_id: str, csat: int, resolved: bool, at: dt.datetime) -> None:
        """Keep a post-call survey answer."""
        ...


@dataclass(frozen=True, slots=True)
class WorldConfig:
    """Who calls, when, and how the synthetic people behave."""

    days: int = 7
    start: dt.date = dt.date(2026, 3, 2)
    call_share: float = 0.5
    survey_share: float = 0.3
    truth: CampaignTruth = field(default_factory=CampaignTruth)


@dataclass(slots=True)
class CampaignWorld:
    """The synthetic people of one campaign run, and the truth they imply."""

    campaign: Campaign
    config: WorldConfig
    customers: dict[str, Customer]
    agents: list[Agent]
    offers: dict[str, Offer]
    tz: dt.tzinfo
    rng: random.Random
    latent: LatentPropensity = field(default_factory=LatentPropensity)
    truths: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def start(self) -> dt.datetime:
        """Local midnight of the first day."""
        return dt.datetime.combine(self.config.start, dt.time(0), tzinfo=self.tz)

    @property
    def end(self) -> dt.datetime:
        """Local midnight after the last day."""
        return self.start + dt.timedelta(days=self.config.days)

    def pre_period(self, ledger: Ledger) -> None:
        """Purchases of the 90 days before the start (CUPED's covariate)."""
        context = CallContext(at=self.start, reason="other")
        for c in self.customers.values():
            chances = [self.latent.probability(o, c, context) for o in self.campaign.offers]
            for _ in range(pre_period_purchases(chances, self.config.truth, self.rng)):
                at = self.start - dt.timedelta(days=self.rng.uniform(0.01, 89))
                product = self.offers[self.rng.choice(self.campaign.offers)].product
                ledger.purchase(c.id, product, at, "pre-period")

    def calls(self) -> list[tuple[Call, Agent]]:
        """Each customer calls once with ``call_share``, 08:00-21:00 on a campaign day."""
        names, weights = list(REASONS), [share for share, _ in REASONS.values()]
        out: list[tuple[Call, Agent]] = []
        for c in self.customers.values():
            if self.rng.random() >= self.config.call_share:
                continue
            day = self.start + dt.timedelta(days=self.rng.randrange(self.config.days), hours=8)
            at = day + dt.timedelta(seconds=self.rng.uniform(0, 13 * 3600))
            reason = self.rng.choices(names, weights)[0]
            seconds = round(self.rng.lognormvariate(4.8, 0.6) * REASONS[reason][1], 1)
            call = Call(f"K{len(out) + 1:06d}", c.id, at, reason, seconds, queue="cards")
            out.append((call, self.rng.choice(self.agents)))
        return sorted(out, key=lambda pair: pair[0].started_at)

    def play(
        self, calls: Sequence[tuple[Call, Agent]], ledger: Ledger, shadow: Engine
    ) -> list[Call]:
        """Every call decided through ``ledger`` with the shadow's verdict beside it."""
        played = []
        for call, agent in calls:
            context = CallContext(
                at=call.started_at,
                reason=call.reason,
                agent_id=agent.id,
                call_id=call.id,
                queue=call.queue,
            )
            customer = self.customers[call.customer_id]
            would = shadow.decide(customer, context)
            decision = ledger.decide(customer.id, context)
            extra = self._respond(ledger, decision, customer, agent)
            self._organic_and_truth(ledger, would, customer, agent, context)
            self._survey(ledger, call, bool(decision.shown))
            total = round(call.handle_seconds + extra, 1)
            played.append(replace(call, agent_id=agent.id, handle_seconds=total))
        return played

    def _respond(
        self, ledger: Ledger, decision: Decision, customer: Customer, agent: Agent
    ) -> float:
        extra = 0.0
        for c in decision.shown:
            offer = self.offers[c.offer_id]
            if self.rng.random() < self.config.truth.skip_rate:
                result, seconds = OutcomeResult.NOT_OFFERED, 0.0
            else:
                p = self.latent.probability(c.offer_id, customer, decision.context)
                sold = self.rng.random() < min(1.0, p * agent.skill)
                result = OutcomeResult.ACCEPTED if sold else OutcomeResult.DECLINED
                seconds = round(offer.extra_handle_seconds * (1.2 if sold else 0.6), 1)
            reason = "not_interested" if result is OutcomeResult.DECLINED else None
            outcome = Outcome(
                decision.id,
                c.offer_id,
                result,
                decision.made_at,
                decline_reason=reason,
                extra_handle_seconds=seconds,
            )
            ledger.record(outcome)
            extra += seconds
        return extra

    def _organic_and_truth(
        self,
        ledger: Ledger,
        would: Decision,
        customer: Customer,
        agent: Agent,
        context: CallContext,
    ) -> None:
        ours = set(self.campaign.offers)
        if not ours & {c.offer_id for c in would.candidates} or customer.id in self.truths:
            return
        shown = {c.offer_id for c in would.shown}
        chances = []
        for offer_id in self.campaign.offers:
            offer = self.offers[offer_id]
            p = self.latent.probability(offer_id, customer, context)
            organic = self.config.truth.organic_share * p
            if self.rng.random() < organic:
                at = context.at + (self.end - context.at) * self.rng.random()
                ledger.purchase(customer.id, offer.product, at, "core")
            q = accept_chance(p, agent.skill, self.config.truth)
            chances.append(OfferChance(offer_id in shown, q, organic, offer.value))
        truth = unit_truth(chances)
        self.truths[customer.id] = (truth.conversion, truth.revenue)

    def _survey(self, ledger: Ledger, call: Call, offered: bool) -> None:
        if self.rng.random() >= self.config.survey_share:
            return
        csat = min(5, max(1, round(self.rng.gauss(4.2 - 0.1 * offered, 0.8))))
        at = call.started_at + dt.timedelta(minutes=10)
        ledger.survey(call.id, csat, self.rng.random() < 0.85, at)


def shadow_engine(engine: Engine, campaign: Campaign, offers: Sequence[Offer]) -> Engine:
    """``engine``'s catalog and policy with ``campaign`` running without a hold-out."""
    unheld = campaign.model_copy(update={"control_share": 0.0})
    record = CampaignRecord(campaign=unheld, state=CampaignState.RUNNING)
    catalog = Catalog(govern(offers, [record]), engine.catalog.schema)
    return Engine(catalog, policy=engine.policy, gate=AlwaysGate(), tz=engine.tz)


@dataclass(slots=True)
class StoreLedger:
    """The store as the ledger: decisions through the call desk, rows in one transaction."""

    conn: Connection
    desk: CallDesk

    def decide(self, customer_id: str, context: CallContext) -> Decision:
        """The call desk's screen pop, logged."""
        return self.desk.pop_in(self.conn, customer_id, context).decision

    def record(self, outcome: Outcome) -> None:
        """The desk records the outcome (and what follows from it)."""
        self.desk.record_in(self.conn, outcome)

    def purchase(self, customer_id: str, product: str, at: dt.datetime, source: str) -> None:
        """A row of ``purchases``."""
        from servesell.store.purchases import insert_purchases

        insert_purchases(self.conn, [(customer_id, product, at, 0.0)], source=source)

    def survey(self, call_id: str, csat: int, resolved: bool, at: dt.datetime) -> None:
        """A row of ``surveys``."""
        from servesell.store.surveys import Survey, save_surveys

        save_surveys(self.conn, [Survey(call_id, csat, resolved, at)], source="synthetic")
