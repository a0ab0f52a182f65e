"""What happens when a customer follows a tracked link: open, accept, decline, opt out.

Opening is recorded as a link event each time (``link_events``; the decision log's
outcomes are answers, and an open is not one). Accepting or declining is recorded as an
outcome on the *original* decision with the digital channel (``service.outcomes.record_in``),
so the decision's agent and offer get the credit; a link carries one answer only, and an
accept counts only within the offer's attribution window (default 7 days after the
decision). Opting out stops the channel (and, if asked, all marketing), audit-logged.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from servesell.domain import Outcome, OutcomeResult
from servesell.errors import ChannelError
from servesell.service.outbox import token_hash
from servesell.service.outcomes import record_in
from servesell.store import get_offer
from servesell.store.links import Link, answer_link, find_link, record_link_event
from servesell.store.optouts import set_do_not_market, set_opt_out

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.domain import Offer

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,86}$")


class LinkProblem(StrEnum):
    """Why a link cannot be used."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    ANSWERED = "answered"


class LinkError(ChannelError):
    """A tracked link that is unknown (or tampered with), expired, or already answered."""

    def __init__(self, problem: LinkProblem) -> None:
        self.problem = problem
        super().__init__(f"this link is {problem.value}")


@dataclass(frozen=True, slots=True)
class LinkView:
    """What the offer page shows: the link, its offer, and the answer it carries."""

    link: Link
    offer: Offer


def open_link(conn: Connection, token: str, *, now: dt.datetime) -> LinkView:
    """The offer behind ``token``, recording that it was opened."""
    view = _view(conn, token)
    if now >= view.link.expires_at:
        raise LinkError(LinkProblem.EXPIRED)
    record_link_event(conn, view.link.message_id, "opened", now)
    return view


def answer(conn: Connection, token: str, result: OutcomeResult, *, now: dt.datetime) -> LinkView:
    """Record the customer's yes or no on the original decision (once per link)."""
    if result not in (OutcomeResult.ACCEPTED, OutcomeResult.DECLINED):
        raise ValueError(f"a link answers accepted or declined, not {result.value}")
    view = _view(conn, token)
    window_ends = view.link.decided_at + dt.timedelta(days=view.offer.attribution_days)
    if now >= view.link.expires_at or now >= window_ends:
        raise LinkError(LinkProblem.EXPIRED)
    if not answer_link(conn, token_hash(token), result.value, now):
        raise LinkError(LinkProblem.ANSWERED)
    link = view.link
    record_in(conn, Outcome(link.decision_id, link.offer_id, result, now, channel=link.channel))
    record_link_event(conn, link.message_id, result.value, now)
    return view


def opt_out(conn: Connection, token: str, *, all_marketing: bool, now: dt.datetime) -> LinkView:
    """Stop the link's channel for its customer (and all marketing when asked)."""
    view = _view(conn, token)
    link = view.link
    set_opt_out(conn, link.customer_id, link.channel, source="link", actor="customer", at=now)
    if all_marketing:
        set_do_not_market(conn, link.customer_id, actor="customer", source="link")
    answer_link(conn, token_hash(token), "opted_out", now)
    record_link_event(conn, link.message_id, "opted_out", now)
    return view


def _view(conn: Connection, token: str) -> LinkView:
    if not _TOKEN.match(token):
        raise LinkError(LinkProblem.UNKNOWN)
    link = find_link(conn, token_hash(token))
    if link is None:
        raise LinkError(LinkProblem.UNKNOWN)
    return LinkView(link, get_offer(conn, link.offer_id))
