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
    """Insert or replace ``batch`` by offer id; returns how many were written."""
    now = dt.datetime.now(dt.UTC)
    rows = [
        {"id": o.id, "spec": o.model_dump(mode="json"), "status": o.status.value, "updated_at": now}
        for o in batch
    ]
    upsert(conn, offers, rows)
    bump_catalog_version(conn)
    return len(rows)


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
    """The commission per sale of ``offer_id`` in force now (0 for an unknown offer)."""
    offer = find_offer(conn, offer_id)
    return offer.piece_rate if offer is not None else 0.0
