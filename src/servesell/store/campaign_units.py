"""The campaign's population read from the log: one unit per customer it reached.

A unit (:class:`~servesell.campaigns.evaluate.Unit`) is a customer for whom a campaign
offer was a candidate while the campaign ran.
The first such decision is the customer's *contact* (its call, agent and time); what
follows it until the window ends counts: sales of campaign offers on any channel, reported
purchases of their products, later complaint calls, channel opt-outs. The pre-period
covariate is the number of purchases in the ``pre_days`` before the campaign started.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from servesell.campaigns.evaluate import Unit
from servesell.campaigns.holdout import in_holdout
from servesell.channels.status import Status
from servesell.domain.decision import Fate, OutcomeResult
from servesell.domain.offer import Channel
from servesell.store.handovers import completed_in_time
from servesell.store.tables import (
    calls,
    channel_opt_outs,
    customers,
    decision_candidates,
    decisions,
    outbox_messages,
    outcomes,
    purchases,
    surveys,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from servesell.domain.campaign import CampaignRecord
    from servesell.domain.offer import Offer

CHUNK = 500
PRE_DAYS = 90
COMPLAINT_REASONS = ("complaint",)
_SENT = [s.value for s in (Status.SENT, Status.DELIVERED, Status.UNDELIVERED)]


@dataclass(slots=True)
class _Draft:
    """A unit while it is being read."""

    customer_id: str
    decision_id: str
    call_id: str | None
    at: dt.datetime
    decisions: set[str] = field(default_factory=set)
    products: dict[str, float] = field(default_factory=dict)
    offered: bool = False
    added_seconds: float = 0.0
    commission: float = 0.0
    messages: int = 0


def campaign_units(
    conn: Connection,
    record: CampaignRecord,
    offers: Mapping[str, Offer],
    *,
    until: dt.datetime,
    segment: str | None = None,
    pre_days: int = PRE_DAYS,
) -> list[Unit]:
    """The units of ``record`` from its start to ``until`` (its end, or now)."""
    if record.started_at is None:
        return []
    start = record.started_at
    end = min(until, record.ended_at) if record.ended_at else until
    drafts = _contacts(conn, record.campaign.offers, start, end)
    _outcomes(conn, drafts, {o: offers[o] for o in record.campaign.offers if o in offers})
    _messages(conn, drafts, record.campaign.offers)
    products = {offers[o].product: offers[o].value for o in record.campaign.offers if o in offers}
    organic = _purchases(conn, drafts, products, end)
    pre = _pre_purchases(conn, list(drafts), start - dt.timedelta(days=pre_days), start)
    calls_of = _calls(conn, drafts)
    polled = _surveys(conn, drafts)
    complaints = _complaints(conn, drafts, end)
    opted = _opt_outs(conn, drafts, end)
    groups = _segments(conn, list(drafts), segment)
    units = []
    for cid, d in sorted(drafts.items()):
        bought = {**{p: products[p] for p in organic.get(cid, ())}, **d.products}
        csat, resolved = polled.get(d.call_id or "", (None, None))
        units.append(
            Unit(
                customer_id=cid,
                treated=not in_holdout(record.campaign, cid),
                converted=bool(bought),
                revenue=round(sum(bought.values()), 2),
                segment=groups.get(cid, "all"),
                pre_purchases=float(pre.get(cid, 0)),
                offered=d.offered,
                handle_seconds=calls_of.get(d.call_id or ""),
                csat=csat,
                resolved=resolved,
                complaint=cid in complaints,
                opted_out=cid in opted,
                added_seconds=round(d.added_seconds, 1),
                commission=round(d.commission, 2),
                messages=d.messages,
            )
        )
    return units


def _contacts(
    conn: Connection, offer_ids: Sequence[str], start: dt.datetime, end: dt.datetime
) -> dict[str, _Draft]:
    query = (
        select(decisions.c.id, decisions.c.customer_id, decisions.c.call_id, decisions.c.made_at)
        .join(decision_candidates, decision_candidates.c.decision_id == decisions.c.id)
        .where(
            decision_candidates.c.offer_id.in_(list(offer_ids)),
            decisions.c.made_at >= start,
            decisions.c.made_at < end,
        )
        .order_by(decisions.c.made_at, decisions.c.id)
    )
    drafts: dict[str, _Draft] = {}
    for row in conn.execute(query):
        draft = drafts.get(row.customer_id)
        if draft is None:
            draft = drafts[row.customer_id] = _Draft(
                row.customer_id, row.id, row.call_id, row.made_at
            )
        draft.decisions.add(row.id)
    return drafts


def _by_decision(drafts: Mapping[str, _Draft]) -> dict[str, _Draft]:
    return {decision: d for d in drafts.values() for decision in d.decisions}


def _outcomes(conn: Connection, drafts: Mapping[str, _Draft], offers: Mapping[str, Offer]) -> None:
    """Offers made and sales of the drafts' decisions.

    A referral offer's yes converts only when its hand-over was completed within the
    offer's N days (T+N: the intent is not yet the deal).
    """
    owners = _by_decision(drafts)
    for chunk in _chunks(list(owners)):
        done = completed_in_time(conn, chunk, offers)
        query = (
            select(outcomes, decision_candidates.c.value, decision_candidates.c.fate)
            .join(
                decision_candidates,
                (decision_candidates.c.decision_id == outcomes.c.decision_id)
                & (decision_candidates.c.offer_id == outcomes.c.offer_id),
            )
            .where(outcomes.c.decision_id.in_(chunk), outcomes.c.offer_id.in_(list(offers)))
        )
        for row in conn.execute(query):
            offer = offers.get(row.offer_id)
            if offer is not None:
                closed = not offer.is_referral or (row.decision_id, row.offer_id) in done
                _add_outcome(owners[row.decision_id], row, offer, closed=closed)


def _add_outcome(draft: _Draft, row: Any, offer: Offer, *, closed: bool = True) -> None:
    presented = row.result in (OutcomeResult.ACCEPTED.value, OutcomeResult.DECLINED.value)
    if row.channel == Channel.IN_CALL.value and presented:
        draft.offered = True
        seconds = row.extra_handle_seconds
        draft.added_seconds += offer.extra_handle_seconds if seconds is None else seconds
    if row.result == OutcomeResult.ACCEPTED.value and closed:
        draft.products[offer.product] = max(draft.products.get(offer.product, 0.0), row.value)
        draft.commission += row.piece_rate or 0.0


def _messages(conn: Connection, drafts: Mapping[str, _Draft], offer_ids: Sequence[str]) -> None:
    owners = _by_decision(drafts)
    for chunk in _chunks(list(owners)):
        rows = conn.execute(
            select(outbox_messages.c.decision_id, func.count())
            .where(
                outbox_messages.c.decision_id.in_(chunk),
                outbox_messages.c.offer_id.in_(list(offer_ids)),
                outbox_messages.c.status.in_(_SENT),
            )
            .group_by(outbox_messages.c.decision_id)
        )
        for decision_id, count in rows:
            owners[decision_id].messages += int(count)
            owners[decision_id].offered = True
    digital = select(decision_candidates.c.decision_id).where(
        decision_candidates.c.fate == Fate.DIGITAL.value,
        decision_candidates.c.offer_id.in_(list(offer_ids)),
    )
    for chunk in _chunks(list(owners)):
        for (decision_id,) in conn.execute(
            digital.where(decision_candidates.c.decision_id.in_(chunk))
        ):
            owners[decision_id].offered = True


def _purchases(
    conn: Connection, drafts: Mapping[str, _Draft], products: Mapping[str, float], end: dt.datetime
) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for chunk in _chunks(list(drafts)):
        rows = conn.execute(
            select(purchases.c.customer_id, purchases.c.product, purchases.c.at).where(
                purchases.c.customer_id.in_(chunk),
                purchases.c.product.in_(list(products)),
                purchases.c.at < end,
            )
        )
        for cid, product, at in rows:
            if at >= drafts[cid].at:
                found[cid].add(product)
    return found


def _pre_purchases(
    conn: Connection, ids: list[str], since: dt.datetime, until: dt.datetime
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            select(purchases.c.customer_id, func.count())
            .where(
                purchases.c.customer_id.in_(chunk),
                purchases.c.at >= since,
                purchases.c.at < until,
            )
            .group_by(purchases.c.customer_id)
        )
        counts.update({cid: int(n) for cid, n in rows})
    return counts


def _calls(conn: Connection, drafts: Mapping[str, _Draft]) -> dict[str, float]:
    ids = [d.call_id for d in drafts.values() if d.call_id]
    out: dict[str, float] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(select(calls.c.id, calls.c.handle_seconds).where(calls.c.id.in_(chunk)))
        out.update({cid: float(s) for cid, s in rows})
    return out


def _surveys(
    conn: Connection, drafts: Mapping[str, _Draft]
) -> dict[str, tuple[int | None, bool | None]]:
    ids = [d.call_id for d in drafts.values() if d.call_id]
    out: dict[str, tuple[int | None, bool | None]] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            select(surveys.c.call_id, surveys.c.csat, surveys.c.resolved).where(
                surveys.c.call_id.in_(chunk)
            )
        )
        out.update({cid: (csat, resolved) for cid, csat, resolved in rows})
    return out


def _complaints(conn: Connection, drafts: Mapping[str, _Draft], end: dt.datetime) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(list(drafts)):
        rows = conn.execute(
            select(calls.c.customer_id, calls.c.started_at).where(
                calls.c.customer_id.in_(chunk),
                calls.c.reason.in_(COMPLAINT_REASONS),
                calls.c.started_at < end,
            )
        )
        found.update(cid for cid, at in rows if at > drafts[cid].at)
    return found


def _opt_outs(conn: Connection, drafts: Mapping[str, _Draft], end: dt.datetime) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(list(drafts)):
        rows = conn.execute(
            select(channel_opt_outs.c.customer_id, channel_opt_outs.c.at).where(
                channel_opt_outs.c.customer_id.in_(chunk), channel_opt_outs.c.at < end
            )
        )
        found.update(cid for cid, at in rows if at >= drafts[cid].at)
    return found


def _segments(conn: Connection, ids: list[str], segment: str | None) -> dict[str, str]:
    if segment is None:
        return {}
    out: dict[str, str] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            select(customers.c.id, customers.c.attributes).where(customers.c.id.in_(chunk))
        )
        out.update({cid: str(attrs.get(segment, "(missing)")) for cid, attrs in rows})
    return out


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
