"""Queue digital follow-ups in the transaction that decides or records the *no*.

The decision path calls :func:`enqueue_follow_ups` for the offers a decision routed to a
digital channel, and the outcome path :func:`enqueue_decline_follow_up` when an agent
records an in-call decline (the bill and a link, so the customer can still say yes).
Both run inside the caller's transaction: the message exists exactly when its cause
does, and a retried request finds the idempotency key taken and queues nothing new.

Each message is rendered now (template, profile variables, a fresh tracked link), so a
resend sends the very same text. A message that cannot be rendered, or an SMS over its
segment limit, is stored as ``failed`` with the reason: visible, never silently dropped.
Without a loaded template file (``servesell templates load``) nothing is queued.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from servesell.channels.segments import sms_length
from servesell.channels.status import Status
from servesell.channels.templates import mask_name
from servesell.decide import follow_up_channel
from servesell.domain import Channel, Fate, OutcomeResult
from servesell.store import get_customer, get_decision, get_offer, require_schema
from servesell.store.channel_templates import load_templates
from servesell.store.outbox import NewMessage, enqueue

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Connection

    from servesell.channels.templates import Rendered, TemplateSet
    from servesell.domain import Customer, Decision, Offer, Outcome

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LinkBase:
    """Where tracked links point and the zone dates in messages are written in.

    ``event_time`` queues each message at the time of its cause (the decision, the
    recorded *no*) instead of the wall clock: for ``servesell demo``, which plays a past
    or future day, so validity, link expiry and quiet hours follow the played day.
    """

    base_url: str
    tz: dt.tzinfo = dt.UTC
    event_time: bool = False


@dataclass(frozen=True, slots=True)
class Queued:
    """One follow-up the call asked for: its message, status and whether it is new."""

    message_id: str
    offer_id: str
    channel: Channel
    status: Status
    created: bool
    reason: str | None = None


def enqueue_follow_ups(
    conn: Connection,
    decision: Decision,
    customer: Customer,
    offers: Mapping[str, Offer],
    *,
    base_url: str,
    tz: dt.tzinfo = dt.UTC,
    now: dt.datetime | None = None,
) -> list[Queued]:
    """Queue a message for each candidate of ``decision`` whose fate is ``digital``."""
    templates = load_templates(conn)
    if templates is None:
        return []
    out = []
    for candidate in decision.digital:
        offer = offers.get(candidate.offer_id)
        if offer is None or candidate.channel is None:
            continue
        follow = _FollowUp(decision, customer, offer, candidate.channel, base_url, tz)
        out.append(follow.enqueue(conn, templates, now or dt.datetime.now(dt.UTC)))
    return out


def enqueue_decline_follow_up(
    conn: Connection,
    outcome: Outcome,
    *,
    base_url: str,
    tz: dt.tzinfo = dt.UTC,
    now: dt.datetime | None = None,
) -> Queued | None:
    """Queue the follow-up of an in-call decline, when one applies; else ``None``.

    It applies to a ``declined`` outcome of an offer shown in the call whose decline
    reason is not one the templates skip (default: ``has_it_elsewhere``), when the offer
    has a digital channel that reaches the customer.
    """
    templates = load_templates(conn)
    if templates is None or not _applies(outcome, templates):
        return None
    decision = get_decision(conn, outcome.decision_id)
    candidate = decision.candidate(outcome.offer_id)
    if candidate is None or candidate.fate is not Fate.SHOWN:
        return None
    offer = get_offer(conn, outcome.offer_id)
    customer = get_customer(conn, decision.customer_id, require_schema(conn))
    channel = follow_up_channel(offer, customer)
    if channel is None:
        return None
    follow = _FollowUp(decision, customer, offer, channel, base_url, tz)
    return follow.enqueue(conn, templates, now or dt.datetime.now(dt.UTC))


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a link token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _applies(outcome: Outcome, templates: TemplateSet) -> bool:
    return (
        outcome.result is OutcomeResult.DECLINED
        and outcome.channel is Channel.IN_CALL
        and outcome.decline_reason not in templates.file.skip_decline_reasons
    )


@dataclass(frozen=True, slots=True)
class _FollowUp:
    decision: Decision
    customer: Customer
    offer: Offer
    channel: Channel
    base_url: str
    tz: dt.tzinfo

    def enqueue(self, conn: Connection, templates: TemplateSet, now: dt.datetime) -> Queued:
        file = templates.file
        token = secrets.token_urlsafe(32)
        link = f"{self.base_url.rstrip('/')}/o/{token}"
        expires = min(
            now + dt.timedelta(days=file.link_days),
            self.decision.made_at + dt.timedelta(days=self.offer.attribution_days),
        )
        valid_until = min(expires, now + dt.timedelta(hours=file.send_within_hours))
        language = self._language(templates)
        status, error, rendered = self._render(templates, language, link, expires)
        message = NewMessage(
            id=uuid.uuid4().hex,
            decision_id=self.decision.id,
            offer_id=self.offer.id,
            channel=self.channel,
            customer_id=self.customer.id,
            address=self._address(),
            language=language,
            body=rendered.body if rendered else "",
            subject=rendered.subject if rendered else "",
            params=rendered.params if rendered else {},
            template=rendered.template if rendered else "",
            link=link,
            valid_until=valid_until,
            status=status,
            error=error,
        )
        created = enqueue(
            conn, message, now=now, token_hash=token_hash(token), token_expires=expires
        )
        return Queued(message.id, self.offer.id, self.channel, status, created, error)

    def _render(
        self, templates: TemplateSet, language: str, link: str, expires: dt.datetime
    ) -> tuple[Status, str | None, Rendered | None]:
        if not self._address():
            return Status.FAILED, f"customer has no {self.channel.value} address", None
        try:
            rendered = templates.render(
                self.offer.id, self.channel, language, self._variables(templates, link, expires)
            )
        except KeyError:
            return Status.FAILED, f"no {self.channel.value} template for {self.offer.id}", None
        except Exception as exc:  # a template that fails on this profile: the analyst's to fix
            return Status.FAILED, f"template error: {type(exc).__name__}: {exc}"[:500], None
        if self.channel is Channel.SMS and rendered.max_segments is not None:
            length = sms_length(rendered.body)
            if length.segments > rendered.max_segments:
                why = f"SMS too long: {length.segments} segments > limit {rendered.max_segments}"
                return Status.FAILED, why, rendered
        return Status.QUEUED, None, rendered

    def _variables(self, templates: TemplateSet, link: str, expires: dt.datetime) -> dict[str, Any]:
        values: dict[str, Any] = dict(self.customer.attributes)
        language = self._language(templates)
        values.update(
            masked_name=mask_name(self.customer.attributes.get(templates.file.name_field)),
            offer_name=self.offer.name_in(language),
            link=link,
            valid_until=expires.astimezone(self.tz).date().isoformat(),
        )
        return values

    def _language(self, templates: TemplateSet) -> str:
        chosen = self.customer.attributes.get(templates.file.language_field)
        if isinstance(chosen, str) and len(chosen.strip()) >= 2:
            return chosen.strip().lower()[:2]
        return templates.file.default_language

    def _address(self) -> str:
        if self.channel is Channel.SMS:
            return self.customer.phone or ""
        if self.channel is Channel.EMAIL:
            return self.customer.email or ""
        if self.channel is Channel.WECHAT:
            return self.customer.wechat_openid or ""
        return ""
