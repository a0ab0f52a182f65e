"""Changing the contact policy: validated whole, stored, audited, followed by every worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from servesell.decide import ContactPolicy
from servesell.errors import PolicyError
from servesell.store import load_policy, save_policy
from servesell.store.audit import audit

if TYPE_CHECKING:
    from sqlalchemy import Engine as Database

    from servesell.service.engines import LiveEngine


def change_policy(
    db: Database, changes: dict[str, Any], *, actor: str, engines: LiveEngine | None = None
) -> ContactPolicy:
    """Apply ``changes`` to the policy in force; fields not named keep their values.

    The result is validated as a whole (a :class:`~servesell.errors.PolicyError` names
    the first field at fault and changes nothing) and audited with before and after.
    """
    with db.begin() as conn:
        before = load_policy(conn).model_dump(mode="json")
        try:
            policy = ContactPolicy.model_validate({**before, **changes})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "policy"
            raise PolicyError(first["msg"], field=where) from None
        save_policy(conn, policy)
        after = policy.model_dump(mode="json")
        audit(
            conn,
            actor=actor,
            action="update",
            entity="policy",
            entity_id="contact_policy",
            before=before,
            after=after,
        )
    if engines is not None:
        engines.invalidate()
    return policy
