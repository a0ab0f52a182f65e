"""The demo's digital follow-ups, really sent and really answered, without leaving 127.0.0.1.

``servesell demo`` queues follow-ups as production does (a decision's digital offers, the
follow-up of an in-call *no*), at the played call's time. After each played day the
:class:`Postman`:

1. starts local sinks that stand in for the providers (an HTTP server in the shape of the
   Aliyun SMS API and WeChat's, a real SMTP server), with receipts kept for the demo;
2. runs the delivery worker (the one ``servesell outbox run`` runs) every two hours of the
   played day on a simulated clock, so quiet hours, caps and validity apply as they would;
3. applies the provider's receipts through the receipt endpoint's parser and state machine
   (a few numbers are out of service: those receipts say undelivered);
4. lets the synthetic customers who received a message open its link and accept through
   the offer page's own path (:mod:`servesell.service.links`), so the sale is recorded on
   the original decision and credited to its agent.

:func:`tally_follow_ups` then counts, from the database, what really happened at each stage.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

from servesell.channels.adapters.aliyun import AliyunSms
from servesell.channels.adapters.smtp import Smtp
from servesell.channels.adapters.wechat import WeChatTemplate
from servesell.channels.status import Status
from servesell.domain import Channel, Outcome, OutcomeResult
from servesell.service.delivery import Worker, WorkerSettings
from servesell.service.links import LinkError, answer, open_link
from servesell.service.receipts import apply_receipts, parse_receipts
from servesell.store.channel_templates import load_templates
from servesell.store.db import write_transaction
from servesell.store.follow_ups import outbox_counts, reached_between
from servesell.store.links import link_event_counts
from servesell.synth.behaviour import Behaviour, answer_follow_up

if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import TracebackType

    from sqlalchemy import Connection, Engine

    from servesell.channels.adapters.base import Adapter
    from servesell.channels.sinks import ProviderState
    from servesell.domain import CallContext, Customer, Offer
    from servesell.learn.adaptive import AdaptivePropensity
    from servesell.store.follow_ups import Reached
    from servesell.synth.truth import LatentPropensity

SEND_HOURS = 34
"""Hours of a played day the worker runs: to 10:00 the next morning (after quiet hours)."""
SEND_EVERY_HOURS = 2
"""The worker's passes on the played clock: a message goes out within two hours of its
call (in production it runs every second; fewer passes keep the demo fast)."""
RECEIPT_DELAY = dt.timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class FollowUpTally:
    """How many follow-up messages reached each stage (each message counted once a stage)."""

    queued: int
    """Written to the outbox (with the decision or the recorded *no*)."""
    sent: int
    """Taken by the provider (here: the local sink)."""
    delivered: int
    """Reported delivered by a provider receipt."""
    undelivered: int
    """Reported not delivered by a provider receipt."""
    opened: int
    """Whose link was opened."""
    accepted: int
    """Accepted on the link's offer page: a digital sale."""
    failed: int
    """Refused for good, or dead-lettered after retries (never taken by a provider)."""
    held_back: int
    """Not sent on purpose at send time: opted out, do-not-market, expired."""
    waiting: int
    """Still queued (a send window not open yet), in flight or unknown."""


def tally_follow_ups(conn: Connection) -> FollowUpTally:
    """What really happened to every follow-up in the database, stage by stage."""
    n = outbox_counts(conn)
    links = link_event_counts(conn)
    taken = n.get(Status.SENT, 0) + n.get(Status.DELIVERED, 0) + n.get(Status.UNDELIVERED, 0)
    return FollowUpTally(
        queued=sum(n.values()),
        sent=taken,
        delivered=n.get(Status.DELIVERED, 0),
        undelivered=n.get(Status.UNDELIVERED, 0),
        opened=links.get("opened", 0),
        accepted=links.get(OutcomeResult.ACCEPTED.value, 0),
        failed=n.get(Status.FAILED, 0) + n.get(Status.DEAD, 0),
        held_back=n.get(Status.SUPPRESSED, 0) + n.get(Status.EXPIRED, 0),
        waiting=n.get(Status.QUEUED, 0) + n.get(Status.SENDING, 0) + n.get(Status.UNKNOWN, 0),
    )


@dataclass(frozen=True, slots=True)
class People:
    """The synthetic side: who the customers are, what they truly want, and the offers."""

    customers: Mapping[str, Customer]
    offers: Mapping[str, Offer]
    truth: LatentPropensity
    contexts: Mapping[str, CallContext]
    """The call of each decision that may have follow-ups (filled as the days are played)."""
    behaviour: Behaviour = field(default_factory=Behaviour)


class Postman:
    """Delivers the played days' follow-ups to local sinks and plays the customers' answers.

    A context manager: entering starts the sinks and the worker, leaving stops them.
    """

    def __init__(
        self,
        db: Engine,
        people: People,
        *,
        tz: dt.tzinfo,
        seed: int,
        model: AdaptivePropensity | None = None,
    ) -> None:
        self.db = db
        self.people = people
        self.tz = tz
        self.seed = seed
        self.model = model
        self.rng = random.Random(seed)
        self.now = dt.datetime.now(dt.UTC)
        self._stack = ExitStack()
        self._worker: Worker | None = None
        self._provider: ProviderState | None = None

    def __enter__(self) -> Self:
        from servesell.channels.sinks import ProviderState, running_provider, running_sink

        state = ProviderState(receipt_mode="once", behaviour=self._unreachable())
        base, self._provider = self._stack.enter_context(running_provider(state))
        port, _ = self._stack.enter_context(running_sink())
        with self.db.connect() as conn:
            templates = load_templates(conn)
        adapters = self._adapters(base, port, templates.file.sign_name if templates else "")
        self._worker = Worker(
            self.db,
            adapters,
            tz=self.tz,
            settings=WorkerSettings(batch=500, seed=self.seed),
            clock=lambda: self.now,
        )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._worker is not None:
            self._worker.close()
        self._stack.close()

    def deliver(self, day: dt.date) -> int:
        """Send ``day``'s follow-ups, apply receipts, play the answers; outcomes learned."""
        start = dt.datetime.combine(day, dt.time(), self.tz).astimezone(dt.UTC)
        for hour in range(SEND_EVERY_HOURS, SEND_HOURS + 1, SEND_EVERY_HOURS):
            self._send_at(start + dt.timedelta(hours=hour))
        with self.db.connect() as conn:
            reached = reached_between(conn, start, start + dt.timedelta(days=1))
        learned = 0
        with write_transaction(self.db) as conn:
            for message in reached:
                learned += self._customer_reads(conn, message)
        return learned

    def _send_at(self, now: dt.datetime) -> None:
        from servesell.channels.sinks import take_receipts

        assert self._worker is not None
        assert self._provider is not None
        self.now = now
        self._worker.drain()
        receipts = take_receipts(self._provider)
        if receipts:
            reports = parse_receipts(json.dumps(receipts).encode())
            with write_transaction(self.db) as conn:
                apply_receipts(conn, reports, now=now + RECEIPT_DELAY)

    def _customer_reads(self, conn: Connection, message: Reached) -> int:
        """Open the message's link (and accept) if the customer does; 1 when learned from."""
        customer = self.people.customers[message.customer_id]
        context = self.people.contexts[message.decision_id]
        visit = answer_follow_up(
            message.offer_id, customer, context, message.sent_at,
            truth=self.people.truth, rng=self.rng, behaviour=self.people.behaviour,
        )  # fmt: skip
        if visit is None:
            return 0
        token = message.link.rsplit("/o/", 1)[-1]
        try:
            open_link(conn, token, now=visit.opened_at)
            if visit.accepted_at is None:
                return 0
            answer(conn, token, OutcomeResult.ACCEPTED, now=visit.accepted_at)
        except LinkError:  # opened after the link or the attribution window ran out
            return 0
        if self.model is None:
            return 0
        outcome = Outcome(
            message.decision_id, message.offer_id, OutcomeResult.ACCEPTED, visit.accepted_at,
            channel=message.channel,
        )  # fmt: skip
        offer = self.people.offers[message.offer_id]
        return int(self.model.observe(offer, customer, context, outcome))

    def _unreachable(self) -> dict[str, str]:
        """Phone numbers out of service (seeded): the provider reports them undelivered."""
        rng = random.Random(self.seed + 1)
        rate = self.people.behaviour.unreachable_rate
        return {
            c.phone: "undeliverable"
            for _, c in sorted(self.people.customers.items())
            if rng.random() < rate and c.phone
        }

    @staticmethod
    def _adapters(base: str, smtp_port: int, sign_name: str) -> dict[Channel, Adapter]:
        from servesell.channels.sinks import provider

        return {
            Channel.SMS: AliyunSms(
                endpoint=f"{base}/aliyun", access_key_id=provider.KEY_ID,
                access_key_secret=provider.KEY_SECRET, sign_name=sign_name, timeout=5.0,
            ),
            Channel.WECHAT: WeChatTemplate(
                api_base=base, app_id=provider.WECHAT_APP, app_secret=provider.WECHAT_SECRET,
                timeout=5.0,
            ),
            Channel.EMAIL: Smtp(
                host="127.0.0.1", port=smtp_port, sender="demo@bank.example.cn",
                starttls=False, timeout=5.0,
            ),
        }  # fmt: skip
