"""Tuning the load gate, the supervisor's busy/idle threshold (audited, every worker follows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from servesell.store import load_gate_settings, save_gate_settings
from servesell.store.audit import audit

if TYPE_CHECKING:
    from servesell.queueing.settings import GateSettings
    from servesell.service.runtime import Runtime


def change_gate(runtime: Runtime, gate: GateSettings, *, actor: str) -> GateSettings:
    """Store ``gate`` as the load gate in force, with an audit entry by ``actor``."""
    with runtime.db.begin() as conn:
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
    runtime.invalidate()
    return gate
