"""Provider callbacks: delivery receipts and customer replies for the follow-up channels."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from servesell.api.schemas import errors
from servesell.domain import Channel
from servesell.http import DbDep, SettingsDep
from servesell.service.receipts import (
    MalformedCallback,
    Report,
    Unauthenticated,
    apply_receipts,
    apply_replies,
    authenticate,
    parse_receipts,
)
from servesell.store.db import write_transaction

router = APIRouter(prefix="/v1/channels", tags=["channels"], responses=errors(400, 401, 413, 422))

DigitalChannel = Literal["sms", "email", "wechat"]
ChannelPath = Annotated[DigitalChannel, Path(description="sms, email or wechat")]
Signature = Annotated[str | None, Header(alias="X-Servesell-Signature")]
Token = Annotated[
    str | None, Query(description="The shared secret, for providers that cannot sign")
]
MAX_BODY = 1024 * 1024


@router.post("/{channel}/receipts")
async def receipts(
    channel: ChannelPath, request: Request, db: DbDep, settings: SettingsDep,
    signature: Signature = None, token: Token = None,
) -> dict[str, int]:  # fmt: skip
    """Apply delivery receipts (idempotent, any order); counts by what became of them.

    A receipt for a message servesell does not know is counted, not refused, so a
    provider does not retry it forever.
    """
    body = await _checked_body(request, signature, token, settings.receipt_secret)
    try:
        reports = parse_receipts(body)
    except MalformedCallback as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from None
    return await run_in_threadpool(_apply, db, reports)


@router.post("/{channel}/replies")
async def replies(
    channel: ChannelPath, request: Request, db: DbDep, settings: SettingsDep,
    signature: Signature = None, token: Token = None,
) -> dict[str, int]:  # fmt: skip
    """Customer replies: an opt-out keyword (T, TD, 退订, STOP) stops the channel for them."""
    body = await _checked_body(request, signature, token, settings.receipt_secret)

    def work() -> dict[str, int]:
        with write_transaction(db) as conn:
            return apply_replies(conn, Channel(channel), body, now=dt.datetime.now(dt.UTC))

    try:
        return await run_in_threadpool(work)
    except MalformedCallback as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from None


async def _checked_body(
    request: Request, signature: str | None, token: str | None, secret: object
) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "callback body over 1 MiB")
    key = secret.get_secret_value() if hasattr(secret, "get_secret_value") else ""
    try:
        authenticate(body, signature=signature, token=token, secret=key)
    except Unauthenticated as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc)) from None
    return body


def _apply(db: Engine, reports: list[Report]) -> dict[str, int]:
    with write_transaction(db) as conn:
        return apply_receipts(conn, reports, now=dt.datetime.now(dt.UTC))
