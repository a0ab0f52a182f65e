"""Customers: read one for the desktop, upsert one, or import a batch with a row-level report."""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, UploadFile, status

from servesell.api.schemas import (
    AUTHED,
    CustomerImportIn,
    CustomerIn,
    CustomerOut,
    ImportOut,
    RowError,
    errors,
)
from servesell.domain.schema import to_json_value
from servesell.http import AdminDep, AgentDep, DbDep, SettingsDep
from servesell.http.ids import upload_name
from servesell.ingest import ImportReport, import_customers, import_records
from servesell.service.access import read_personal
from servesell.store import get_customer, require_schema

router = APIRouter(prefix="/v1/customers", tags=["customers"], responses={**AUTHED, **errors(404)})

CustomerId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
]


@router.get("/{customer_id}")
def read_customer(
    customer_id: CustomerId, db: DbDep, settings: SettingsDep, user: AgentDep
) -> CustomerOut:
    """The customer's profile, holdings, flags and contact points.

    An agent reads only a customer they are serving (their open call; 403 otherwise).
    Every read is audited.
    """
    with db.begin() as conn:
        read_personal(
            conn,
            user,
            entity="customer",
            entity_id=customer_id,
            customer_id=customer_id,
            settings=settings,
        )
        customer = get_customer(conn, customer_id, require_schema(conn))
    return CustomerOut(
        id=customer.id,
        attributes={k: to_json_value(v) for k, v in customer.attributes.items()},
        holdings=sorted(customer.holdings),
        do_not_market=customer.do_not_market,
        blacklisted=customer.blacklisted,
        vip=customer.vip,
        open_complaint=customer.open_complaint,
        phone=customer.phone,
        email=customer.email,
        wechat_openid=customer.wechat_openid,
    )


@router.put("/{customer_id}")
def put_customer(
    customer_id: CustomerId, body: CustomerIn, db: DbDep, settings: SettingsDep, user: AdminDep
) -> CustomerOut:
    """Create or replace one customer, validated against the declared schema."""
    report = import_records(db, [{"id": customer_id, **body.model_dump()}])
    if report.rejects:
        problems = "; ".join(
            f"{r.column}: {r.reason}" if r.column else r.reason for r in report.rejects
        )
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problems)
    return read_customer(customer_id, db, settings, user)


@router.post("/import")
def import_json(body: CustomerImportIn, db: DbDep, user: AdminDep) -> ImportOut:
    """Upsert up to 10,000 customers; each bad row is reported, the good ones are kept."""
    return _report(import_records(db, body.customers))


@router.post("/import/file")
def import_file(file: UploadFile, db: DbDep, user: AdminDep, encoding: str = "utf-8") -> ImportOut:
    """Upsert customers from an uploaded CSV or parquet file (the CLI importer's rules).

    The file's name says its kind (``.parquet``, else CSV); a name that is not a file
    name (``..``, ``/``, over 255 bytes) is a 422.
    """
    name = upload_name(file.filename)
    with tempfile.TemporaryDirectory() as tmp:
        path = FilePath(tmp) / name
        path.write_bytes(file.file.read())
        report = import_customers(db, path, encoding=encoding, reject_path=path.with_suffix(".rej"))
    return _report(report)


def _report(report: ImportReport) -> ImportOut:
    return ImportOut(
        accepted=report.accepted,
        rejected=report.rejected_rows,
        errors=[
            RowError(where=r.where, id=r.id, column=r.column, value=r.value, reason=r.reason)
            for r in report.rejects
        ],
    )
