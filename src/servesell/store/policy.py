"""The contact policy and load-gate settings in force, kept in the database for every process."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from servesell.decide.policy import ContactPolicy
from servesell.queueing.settings import GateSettings
from servesell.store.meta import bump_catalog_version, get_meta, set_meta

if TYPE_CHECKING:
    from sqlalchemy import Connection

POLICY_KEY = "contact_policy"
GATE_KEY = "load_gate"


def load_policy(conn: Connection) -> ContactPolicy:
    """The stored policy, or the defaults when none was saved."""
    stored = get_meta(conn, POLICY_KEY)
    return ContactPolicy() if stored is None else ContactPolicy.model_validate_json(stored)


def save_policy(conn: Connection, policy: ContactPolicy) -> None:
    """Replace the stored policy."""
    set_meta(conn, POLICY_KEY, json.dumps(policy.model_dump(mode="json"), sort_keys=True))
    bump_catalog_version(conn)


def load_gate_settings(conn: Connection) -> GateSettings:
    """The stored load-gate settings, or the defaults."""
    stored = get_meta(conn, GATE_KEY)
    return GateSettings() if stored is None else GateSettings.model_validate_json(stored)


def save_gate_settings(conn: Connection, settings: GateSettings) -> None:
    """Replace the stored load-gate settings."""
    set_meta(conn, GATE_KEY, settings.model_dump_json())
    bump_catalog_version(conn)
