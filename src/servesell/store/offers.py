"""The offer catalog: validated offers stored as JSON documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select

from servesell.domain.offer import Offer
from servesell.errors import NotFoundError
from servesell.store.meta import bump_catalog_version
from servesell.store.tables import offers
from servesell.store.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection


def upsert_offers(conn: Connection, batch: Iterable[Offer]) -> int:
    """Insert or replace ``batch`` by offer id; returns how many were written.

    An offer's control group starts when it is first saved with a control share (or with
    another campaign): decisions made before then were never part of the experiment.
    """
    now = dt.datetime.now(dt.UTC)
    batch = list(batch)
    known = _control_states(conn, [o.id for o in batch])
    rows = [
        {
            "id": o.id,
            "spec": o.model_dump(mode="json"),
            "status": o.status.value,
            "updated_at": now,
            "control_since": _control_since(o, known.get(o.id), now),
        }
        for o in batch
    ]
    upsert(conn, offers, rows)
    bump_catalog_version(conn)
    return len(rows)


def control_starts(conn: Connection) -> dict[str, dt.datetime]:
    """When each offer's current control group started (offers with one only)."""
    rows = conn.execute(
        select(offers.c.id, offers.c.control_since).where(offers.c.control_since.is_not(None))
    )
    return {r.id: r.control_since for r in rows}


def _control_states(
    conn: Connection, ids: list[str]
) -> dict[str, tuple[str | None, dt.datetime | None]]:
    """The stored campaign key and control start of each offer in ``ids``."""
    found: dict[str, tuple[str | None, dt.datetime | None]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(
            select(offers.c.id, offers.c.spec, offers.c.control_since).where(offers.c.id.in_(chunk))
        )
        for r in rows:
            spec = Offer.model_validate(r.spec)
            key = spec.control_key if spec.control_share > 0 else None
            found[r.id] = (key, r.control_since)
    return found


def _control_since(
    offer: Offer, known: tuple[str | None, dt.datetime | None] | None, now: dt.datetime
) -> dt.datetime | None:
    if offer.control_share <= 0:
        return None
    if known is not None and known[0] == offer.control_key and known[1] is not None:
        return known[1]
    return now


def list_offers(conn: Connection) -> list[Offer]:
    """Every offer in the catalog, ordered by id."""
    rows = conn.execute(select(offers.c.spec).order_by(offers.c.id)).scalars()
    return [Offer.model_validate(spec) for spec in rows]


def get_offer(conn: Connection, offer_id: str) -> Offer:
    """The offer with ``offer_id``; :class:`NotFoundError` when there is none."""
    offer = find_offer(conn, offer_id)
    if offer is None:
        raise NotFoundError("offer", offer_id)
    return offer


def find_offer(conn: Connection, offer_id: str) -> Offer | None:
    """The offer with ``offer_id``, or ``None``."""
    spec = conn.execute(select(offers.c.spec).where(offers.c.id == offer_id)).scalar_one_or_none()
    return None if spec is None else Offer.model_validate(spec)


def piece_rate_now(conn: Connection, offer_id: str) -> float:
    """The commission per sale of ``offer_id`` in force now (0 for an unknown offer).

    The offer's catalog rate weighted by the incentive plan in force
    (:func:`servesell.report.incentives.piece_rate`).
    """
    from servesell.report.incentives import piece_rate
    from servesell.store.incentives import current_plan

    offer = find_offer(conn, offer_id)
    if offer is None:
        return 0.0
    return piece_rate(
        base=offer.piece_rate,
        offer_id=offer.id,
        extra_handle_seconds=offer.extra_handle_seconds,
        plan=current_plan(conn),
    )
