"""The delivery worker: claims due messages, checks them at send time, sends, reconciles.

One pass (:meth:`Worker.run_once`):

1. messages whose worker died mid-send (lease ran out) become ``unknown``;
2. ``unknown`` messages due for a check are looked up at the provider: what it knows is
   applied, a message it has no record of is queued again, and one it cannot be asked
   about waits for its receipt (``channels.status``);
3. up to ``batch`` due messages are claimed under a lease, checked at send time in the
   customer's own time zone (opt-out, do-not-market, quiet hours, channel cap, validity:
   ``channels.timing``), and sent ``concurrency`` at a time over kept connections, all
   on the channel loop (``channels.adapters.loop``): no thread per send;
4. each result is written back: sent, retry later with jittered backoff, dead letter
   once retries are used up, failed, or unknown (ambiguous: never blindly resent).

Several workers may run at once, in one process or many: claims never overlap.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from servesell.channels.adapters.base import send_all
from servesell.channels.adapters.loop import run as on_channel_loop
from servesell.channels.backoff import RetryPolicy
from servesell.channels.message import OutboundMessage, Result, SendResult
from servesell.channels.status import Status
from servesell.channels.timing import Action, Recipient, gate
from servesell.service.reconcile import reconcile
from servesell.store import load_policy
from servesell.store.channel_templates import load_templates
from servesell.store.db import write_transaction
from servesell.store.follow_ups import send_facts
from servesell.store.outbox import claim, claim_unknown
from servesell.store.settle import Transition, finish, recover_expired

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from sqlalchemy import Connection, Engine

    from servesell.channels.adapters.base import Adapter
    from servesell.decide import ContactPolicy
    from servesell.domain import Channel
    from servesell.store.follow_ups import SendFacts
    from servesell.store.outbox import Claimed

logger = logging.getLogger(__name__)
WEEK = dt.timedelta(days=7)


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """How one worker works: batch size, sends in flight, lease, retry policy, seed."""

    batch: int = 200
    concurrency: int = 16
    lease_seconds: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    seed: int = 0


class Worker:
    """Delivers the outbox through ``adapters`` (one per channel)."""

    def __init__(
        self,
        db: Engine,
        adapters: Mapping[Channel, Adapter],
        *,
        tz: dt.tzinfo,
        settings: WorkerSettings | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.db = db
        self.adapters = dict(adapters)
        self.tz = tz
        self.settings = settings or WorkerSettings()
        self.owner = f"worker-{uuid.uuid4().hex[:12]}"
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.rng = random.Random(self.settings.seed)
        self.tally: Counter[str] = Counter()
        # lookups of ambiguous sends only (rare): service.reconcile asks adapters blocking
        self._pool = ThreadPoolExecutor(max_workers=self.settings.concurrency)

    @property
    def lease(self) -> dt.timedelta:
        """How long a claim holds before another worker may take the messages over."""
        return dt.timedelta(seconds=self.settings.lease_seconds)

    def run_once(self) -> int:
        """One pass (recover, reconcile, send a batch); how many messages it settled."""
        now = self.clock()
        settled = self._reconcile(now)
        with write_transaction(self.db) as conn:
            check_after = now + dt.timedelta(seconds=self.settings.retry.reconcile_after_seconds)
            self.tally["recovered"] += recover_expired(conn, now=now, check_after=check_after)
            held = claim(
                conn, owner=self.owner, now=now, limit=self.settings.batch, lease=self.lease
            )
        if held:
            settled += self._deliver(held, now)
        return settled

    def run(self, stop: threading.Event, *, idle_seconds: float = 1.0) -> None:
        """Pass after pass until ``stop`` is set, resting ``idle_seconds`` when idle."""
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # the loop must survive a database hiccup; it retries
                logger.exception("outbox worker pass failed; retrying")
                busy = 0
            if not busy:
                stop.wait(idle_seconds)

    def drain(self, *, max_passes: int = 1_000_000) -> None:
        """Pass after pass until a pass settles nothing (what is left is not due yet)."""
        for _ in range(max_passes):
            if not self.run_once():
                return

    def close(self) -> None:
        """Stop the lookup threads and close the adapters' connections."""
        self._pool.shutdown(wait=True)
        for adapter in self.adapters.values():
            adapter.close()

    def _deliver(self, held: Sequence[Claimed], now: dt.datetime) -> int:
        with self.db.connect() as conn:
            verdicts, sendable = self._check(conn, held, now)
        messages = [outbound(m) for m in sendable]
        results = on_channel_loop(send_all(self.adapters, messages, self.settings.concurrency))
        transitions = verdicts + [
            self._after_send(m, r, now) for m, r in zip(sendable, results, strict=True)
        ]
        with write_transaction(self.db) as conn:
            written = finish(conn, self.owner, Status.SENDING, transitions, now=now)
        self.tally.update(t.status.value for t in transitions)
        return written

    def _check(
        self, conn: Connection, held: Sequence[Claimed], now: dt.datetime
    ) -> tuple[list[Transition], list[Claimed]]:
        """Send-time check of each held message: what to write now, and what to send."""
        policy = load_policy(conn)
        templates = load_templates(conn)
        zone_field = templates.file.timezone_field if templates else "timezone"
        facts = send_facts(conn, held, zone_field=zone_field, since=now - WEEK)
        planned: Counter[tuple[str, Channel]] = Counter()
        transitions: list[Transition] = []
        sendable: list[Claimed] = []
        for message in held:
            key = (message.customer_id, message.channel)
            recipient = _recipient(facts[key], policy, message.channel, planned[key])
            verdict = gate(
                recipient, now=now, valid_until=message.valid_until, policy=policy,
                center_zone=self.tz,
            )  # fmt: skip
            if verdict.action is not Action.SEND:
                transitions.append(
                    _held_back(message, verdict.action, verdict.reason or "", verdict.until)
                )
            elif message.channel not in self.adapters:
                transitions.append(self._no_adapter(message, now))
            else:
                planned[key] += 1
                sendable.append(message)
        return transitions, sendable

    def _no_adapter(self, message: Claimed, now: dt.datetime) -> Transition:
        """A channel without settings: the message waits (and finally expires), not dropped."""
        retry_at = now + dt.timedelta(seconds=self.settings.retry.cap_seconds)
        reason = f"no {message.channel.value} adapter configured"
        return Transition(message.id, Status.QUEUED, reason, next_attempt_at=retry_at)

    def _after_send(self, message: Claimed, sent: SendResult, now: dt.datetime) -> Transition:
        attempts = message.attempts + 1
        retry = self.settings.retry
        if sent.result is Result.SENT:
            return Transition(
                message.id, Status.SENT, "", attempts, provider_id=sent.provider_id, sent_at=now
            )
        if sent.result is Result.PERMANENT:
            return Transition(message.id, Status.FAILED, sent.reason, attempts)
        if sent.result is Result.AMBIGUOUS:
            check = now + dt.timedelta(seconds=retry.reconcile_after_seconds)
            return Transition(
                message.id,
                Status.UNKNOWN,
                sent.reason,
                attempts,
                next_attempt_at=check,
                sent_at=now,
            )
        return self._retry_or_give_up(message, attempts, sent.reason, now)

    def _retry_or_give_up(
        self, message: Claimed, attempts: int, reason: str, now: dt.datetime
    ) -> Transition:
        retry = self.settings.retry
        if retry.exhausted(attempts):
            return Transition(message.id, Status.DEAD, f"{attempts} attempts: {reason}", attempts)
        at = now + dt.timedelta(seconds=retry.delay(attempts, self.rng))
        if at >= message.valid_until:
            return Transition(
                message.id, Status.EXPIRED, f"next retry after validity: {reason}", attempts
            )
        return Transition(message.id, Status.QUEUED, reason, attempts, next_attempt_at=at)

    def _reconcile(self, now: dt.datetime) -> int:
        with write_transaction(self.db) as conn:
            held = claim_unknown(
                conn, owner=self.owner, now=now, limit=self.settings.batch, lease=self.lease
            )
        if not held:
            return 0
        transitions = list(self._pool.map(lambda m: self._reconcile_one(m, now), held))
        with write_transaction(self.db) as conn:
            written = finish(conn, self.owner, Status.UNKNOWN, transitions, now=now)
        self.tally.update(f"reconciled_{t.status.value}" for t in transitions)
        return written

    def _reconcile_one(self, message: Claimed, now: dt.datetime) -> Transition:
        adapter = self.adapters.get(message.channel)
        retry, rng = self.settings.retry, self.rng
        return reconcile(adapter, message, outbound(message), retry=retry, rng=rng, now=now)


def outbound(message: Claimed) -> OutboundMessage:
    """The adapter's view of a claimed message."""
    return OutboundMessage(
        id=message.id,
        channel=message.channel,
        to=message.address,
        body=message.body,
        subject=message.subject,
        params=message.params,
        template=message.template,
        link=message.link,
        language=message.language,
    )


def start_in_thread(
    worker: Worker, *, idle_seconds: float = 1.0
) -> tuple[threading.Thread, threading.Event]:
    """Run ``worker`` in a daemon thread (for ``servesell serve``); set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run,
        args=(stop,),
        kwargs={"idle_seconds": idle_seconds},
        name="servesell-outbox",
        daemon=True,
    )
    thread.start()
    return thread, stop


def _recipient(
    facts: SendFacts, policy: ContactPolicy, channel: Channel, planned: int
) -> Recipient:
    cap = policy.channel_caps_per_week.get(channel)
    left = None if cap is None else cap - facts.sent_in_window - planned
    frees = facts.oldest_in_window + WEEK if facts.oldest_in_window else None
    return Recipient(
        opted_out=facts.opted_out,
        do_not_market=facts.do_not_market,
        blacklisted=facts.blacklisted,
        zone=facts.zone,
        cap_left=left,
        cap_frees_at=frees,
    )


def _held_back(
    message: Claimed, action: Action, reason: str, until: dt.datetime | None
) -> Transition:
    if action is Action.WAIT:
        return Transition(message.id, Status.QUEUED, reason, next_attempt_at=until)
    status = Status.EXPIRED if action is Action.EXPIRE else Status.SUPPRESSED
    return Transition(message.id, status, reason)
