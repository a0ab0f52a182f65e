"""Tuning the load gate, the supervisor's busy/idle threshold (audited, every worker follows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from servesell.store import load_gate_settings, save_gate_settings
from servesell.store.audit import audit

if TYPE_CHECKING:
    from sqlalchemy import Engine as Database

    from servesell.queueing.settings import GateSettings
    from servesell.service.engines import LiveEngine


def change_gate(
    db: Database, gate: GateSettings, *, actor: str, engines: LiveEngine | None = None
) -> GateSettings:
    """Store ``gate`` as the load gate in force, with an audit entry by ``actor``."""
    with db.begin() as conn:
        before = load_gate_settings(conn)
        save_gate_settings(conn, gate)
        audit(
            conn,
            actor=actor,
            action="update",
            entity="gate",
            entity_id="load_gate",
            before=before.model_dump(mode="json"),
            after=gate.model_dump(mode="json"),
        )
    if engines is not None:
        engines.invalidate()
    return gate
