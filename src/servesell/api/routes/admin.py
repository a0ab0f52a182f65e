"""Users and the audit log (admins), and health checks (anyone)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from servesell.api.schemas import AUTHED, Health, UserIn, UserOut, errors
from servesell.http import AdminDep, ConnDep, DbDep, SupervisorDep, TokensDep
from servesell.store import head_revision
from servesell.store.audit import AuditEntry, audit, list_audit
from servesell.store.db import current_revision, write_transaction
from servesell.store.users import Role, add_user, disable_user, list_users

router = APIRouter(tags=["admin"])


@router.get("/healthz")
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
def readyz(db: DbDep) -> Health | JSONResponse:
    """The database answers and is migrated to this version's schema."""
    try:
        with db.connect() as conn:
            conn.execute(text("SELECT 1"))
        revision = current_revision(db)
    except SQLAlchemyError as exc:
        return _unavailable(f"database unreachable: {type(exc).__name__}")
    if revision != head_revision():
        return _unavailable(f"database at revision {revision}, expected {head_revision()}")
    return Health(status="ok")


def _unavailable(detail: str) -> JSONResponse:
    body = Health(status="unavailable", detail=detail).model_dump()
    return JSONResponse(body, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)


@router.get("/v1/users", responses=AUTHED)
def read_users(conn: ConnDep, user: AdminDep) -> list[UserOut]:
    """Every active user and their role."""
    return [UserOut(name=u.name, role=u.role.value) for u in list_users(conn)]


@router.post("/v1/users", status_code=status.HTTP_201_CREATED, responses=AUTHED)
def create_user(body: UserIn, db: DbDep, user: AdminDep) -> UserOut:
    """Create a user; the response carries their token, shown this once. Audited."""
    with db.begin() as conn:
        token = add_user(conn, body.name, Role(body.role), password=body.password)
        audit(
            conn,
            actor=user.name,
            action="create",
            entity="user",
            entity_id=body.name,
            before=None,
            after={"role": body.role},
        )
    return UserOut(name=body.name, role=body.role, token=token)


@router.delete("/v1/users/{name}", responses={**AUTHED, **errors(404)})
def revoke_user(
    name: Annotated[str, Path(min_length=1, max_length=64)],
    db: DbDep,
    tokens: TokensDep,
    user: AdminDep,
) -> UserOut:
    """Revoke a user's token and password (other workers follow within 5 s). Audited.

    An admin cannot revoke themselves nor the last admin (403).
    """
    with write_transaction(db) as conn:
        disable_user(conn, name, actor=user.name)
        audit(
            conn,
            actor=user.name,
            action="revoke",
            entity="user",
            entity_id=name,
            before=None,
            after=None,
        )
    tokens.clear()
    return UserOut(name=name, role="revoked")


@router.get("/v1/audit", responses=AUTHED)
def read_audit(
    conn: ConnDep, user: SupervisorDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[AuditEntry]:
    """The newest changes to catalog, policy, gate and users."""
    return list_audit(conn, limit=limit)
