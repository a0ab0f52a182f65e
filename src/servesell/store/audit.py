"""The audit log: who changed the catalog, the policy or the users, when, from what to what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from servesell.store.tables import audit_log

if TYPE_CHECKING:
    from sqlalchemy import Connection


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change."""

    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Any
    after: Any


def audit(
    conn: Connection,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: Any,
    after: Any,
) -> None:
    """Append one change to the audit log (in the caller's transaction)."""
    conn.execute(
        insert(audit_log),
        {
            "at": dt.datetime.now(dt.UTC),
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before": before,
            "after": after,
        },
    )


def list_audit(conn: Connection, *, limit: int = 100) -> list[AuditEntry]:
    """The newest ``limit`` changes, newest first."""
    rows = conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(limit))
    return [
        AuditEntry(r.at, r.actor, r.action, r.entity, r.entity_id, r.before, r.after) for r in rows
    ]
