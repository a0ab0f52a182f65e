"""The contact policy: everyone with a role sees it, admins change it (audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError

from servesell.api.deps import AdminDep, ConnDep, RuntimeDep, SupervisorDep
from servesell.api.schemas import AUTHED
from servesell.decide import ContactPolicy
from servesell.errors import ServesellError
from servesell.store import load_policy, save_policy
from servesell.store.audit import audit

router = APIRouter(prefix="/v1/policy", tags=["policy"], responses=AUTHED)


@router.get("")
def read_policy(conn: ConnDep, user: SupervisorDep) -> ContactPolicy:
    """The contact policy in force."""
    return load_policy(conn)


@router.put("")
def update_policy(changes: dict[str, Any], runtime: RuntimeDep, user: AdminDep) -> ContactPolicy:
    """Change some policy fields (the rest keep their values); audited with before and after."""
    with runtime.db.begin() as conn:
        before = load_policy(conn)
        current = before.model_dump(mode="json")
        try:
            policy = ContactPolicy.model_validate({**current, **changes})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "policy"
            raise PolicyError(f"{where}: {first['msg']}") from None
        save_policy(conn, policy)
        audit(
            conn,
            actor=user.name,
            action="update",
            entity="policy",
            entity_id="contact_policy",
            before=current,
            after=policy.model_dump(mode="json"),
        )
    runtime.invalidate()
    return policy


class PolicyError(ServesellError):
    """A policy change that does not validate."""
