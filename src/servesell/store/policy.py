"""The contact policy in force, kept in the database so every process uses the same one."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from servesell.decide.policy import ContactPolicy
from servesell.store.meta import get_meta, set_meta

if TYPE_CHECKING:
    from sqlalchemy import Connection

POLICY_KEY = "contact_policy"


def load_policy(conn: Connection) -> ContactPolicy:
    """The stored policy, or the defaults when none was saved."""
    stored = get_meta(conn, POLICY_KEY)
    return ContactPolicy() if stored is None else ContactPolicy.model_validate_json(stored)


def save_policy(conn: Connection, policy: ContactPolicy) -> None:
    """Replace the stored policy."""
    set_meta(conn, POLICY_KEY, json.dumps(policy.model_dump(mode="json"), sort_keys=True))
