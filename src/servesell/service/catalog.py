"""Changing the offer catalog: validate a rule (with an eligible-customer preview), save offers.

The API and the analyst's editor both go through these functions, so a rule is judged
and an offer is stored (and audited) the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from servesell.domain import OfferStatus
from servesell.errors import BusyError, CatalogError, RuleError
from servesell.ingest import validate_offer
from servesell.rules import compile_rule
from servesell.store import (
    count_customers,
    get_offer,
    iter_customers,
    require_schema,
    upsert_offers,
)
from servesell.store.audit import audit
from servesell.store.customers import sample_customers
from servesell.store.offers import find_offer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sqlalchemy import Connection
    from sqlalchemy import Engine as Database

    from servesell.domain import Offer
    from servesell.service.engines import LiveEngine


@dataclass(frozen=True, slots=True)
class PreviewLimits:
    """Bounds of an eligible-customer preview, so analysts cannot starve live calls.

    Above ``sample_above`` customers a systematic sample of about that many is evaluated
    and the count is an estimate; evaluation stops after ``timeout_seconds`` (an estimate
    from what was scanned); a user runs at most ``per_user`` previews at once and a worker
    at most ``per_worker`` (more: :class:`~servesell.errors.BusyError`, HTTP 429).
    """

    sample_above: int = 20_000
    timeout_seconds: float = 2.0
    per_user: int = 1
    per_worker: int = 2


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """Whether a rule compiles, its error if not, and optionally how many customers it selects.

    ``eligible`` is exact when ``estimate`` is false; otherwise it is scaled from the
    ``scanned`` customers (a sample, or what was scanned before the time limit) to ``total``.
    """

    error: RuleError | None = None
    eligible: int | None = None
    scanned: int | None = None
    total: int | None = None
    estimate: bool = False

    @property
    def valid(self) -> bool:
        """True when the rule compiled against the schema."""
        return self.error is None


class PreviewSlots:
    """Previews running in this worker, per user, within :class:`PreviewLimits`."""

    def __init__(self, limits: PreviewLimits | None = None) -> None:
        self.limits = limits or PreviewLimits()
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, user: str) -> Iterator[None]:
        """Hold one of ``user``'s preview slots; :class:`BusyError` when none is free."""
        with self._lock:
            mine = self._running.get(user, 0)
            if mine >= self.limits.per_user:
                raise BusyError(f"{user} already has a rule preview running; wait for it")
            if sum(self._running.values()) >= self.limits.per_worker:
                raise BusyError("rule previews are busy on this server; try again in a moment")
            self._running[user] = mine + 1
        try:
            yield
        finally:
            with self._lock:
                self._running[user] -= 1
                if not self._running[user]:
                    del self._running[user]


def check_rule(
    conn: Connection,
    rule: str,
    *,
    preview: bool = False,
    limits: PreviewLimits | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> RuleCheck:
    """Compile ``rule`` against the declared schema; with ``preview`` count who it selects.

    The count is bounded by ``limits`` (a sample above a size, a time limit) and says
    when it is an estimate.
    """
    schema = require_schema(conn)
    try:
        compiled = compile_rule(rule, schema)
    except RuleError as exc:
        return RuleCheck(error=exc)
    if not preview:
        return RuleCheck()
    limits = limits or PreviewLimits()
    total = count_customers(conn)
    every = max(1, math.ceil(total / limits.sample_above))
    found = (
        iter_customers(conn, schema) if every == 1 else sample_customers(conn, schema, every=every)
    )
    today = dt.datetime.now(dt.UTC).date()
    deadline = clock() + limits.timeout_seconds
    scanned = eligible = 0
    for customer in found:
        scanned += 1
        eligible += compiled(customer, today) is True
        if scanned % 64 == 0 and clock() > deadline:
            break
    if scanned == total:
        return RuleCheck(eligible=eligible, scanned=scanned, total=total)
    estimated = round(eligible * total / scanned) if scanned else 0
    return RuleCheck(eligible=estimated, scanned=scanned, total=total, estimate=True)


def save_offer(
    db: Database, data: dict[str, Any], *, actor: str, engines: LiveEngine | None = None
) -> tuple[Offer, bool]:
    """Validate ``data`` as an offer (rule included), store it, audit it; ``(offer, created)``.

    A :class:`~servesell.errors.CatalogError` or :class:`~servesell.errors.RuleError`
    leaves the catalog unchanged.
    """
    with db.begin() as conn:
        offer = validate_offer(data, require_schema(conn))
        before = find_offer(conn, offer.id)
        upsert_offers(conn, [offer])
        audit(
            conn,
            actor=actor,
            action="create" if before is None else "update",
            entity="offer",
            entity_id=offer.id,
            before=before.model_dump(mode="json") if before else None,
            after=offer.model_dump(mode="json"),
        )
    if engines is not None:
        engines.invalidate()
    return offer, before is None


def retire_offer(
    db: Database, offer_id: str, *, actor: str, engines: LiveEngine | None = None
) -> Offer:
    """Retire an offer: kept for the decision log's sake, never offered again. Audited."""
    with db.begin() as conn:
        before = get_offer(conn, offer_id)
        retired = before.model_copy(update={"status": OfferStatus.RETIRED})
        upsert_offers(conn, [retired])
        audit(
            conn,
            actor=actor,
            action="retire",
            entity="offer",
            entity_id=offer_id,
            before=before.model_dump(mode="json"),
            after=retired.model_dump(mode="json"),
        )
    if engines is not None:
        engines.invalidate()
    return retired


def require_id(data: dict[str, Any], offer_id: str) -> None:
    """Refuse a body whose ``id`` differs from the offer being edited."""
    if data.get("id") != offer_id:
        raise CatalogError(f"body id {data.get('id')!r} differs from the path", offer_id=offer_id)
