"""The contact policy: everyone with a role sees it, admins change it (audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from servesell.api.schemas import AUTHED
from servesell.decide import ContactPolicy
from servesell.http import AdminDep, ConnDep, DbDep, EnginesDep, SupervisorDep
from servesell.service.policy import change_policy
from servesell.store import load_policy

router = APIRouter(prefix="/v1/policy", tags=["policy"], responses=AUTHED)


@router.get("")
def read_policy(conn: ConnDep, user: SupervisorDep) -> ContactPolicy:
    """The contact policy in force."""
    return load_policy(conn)


@router.put("")
def update_policy(
    changes: dict[str, Any], db: DbDep, engines: EnginesDep, user: AdminDep
) -> ContactPolicy:
    """Change some policy fields (the rest keep their values); audited with before and after."""
    return change_policy(db, changes, actor=user.name, engines=engines)
