"""A local HTTP server that behaves like the SMS provider, a webhook gateway and WeChat.

Real enough to test against: it checks Aliyun's RPC signature, answers ``SendSms`` and
``QuerySendDetails`` in Aliyun's JSON shape, dedupes by ``OutId`` (counting repeats as
duplicates), and pushes receipts to a URL late, twice or out of order. Per phone number
it can reject, throttle, time out after taking the message, answer garbage, fail with
HTTP 500, or take the message and later report it undelivered. Receipts are pushed to
``receipt_url`` when one is set, else kept for the caller (:func:`take_receipts`). Served
by uvicorn in a thread on 127.0.0.1 (or in its own process for the benchmark).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from servesell.channels.adapters.aliyun import sign
from servesell.channels.sinks.ports import free_port

KEY_ID = "test-key-id"
KEY_SECRET = "test-key-secret-DO-NOT-LEAK-7f3a"
WEBHOOK_SECRET = "webhook-secret-DO-NOT-LEAK-91c2"
WECHAT_APP = "wx-test-app"
WECHAT_SECRET = "wechat-secret-DO-NOT-LEAK-55e1"


@dataclass
class ProviderState:
    """What the provider received and how it behaves."""

    behaviour: dict[str, str] = field(default_factory=dict)
    """Address -> ``reject``, ``throttle``, ``timeout``, ``garbage``, ``http500`` or
    ``undeliverable`` (taken, then reported not delivered)."""
    hang_seconds: float = 3.0
    receipt_url: str | None = None
    """Where receipts are pushed; ``None`` keeps them for :func:`take_receipts`."""
    receipt_mode: str = "none"
    """``none``, ``once``, ``late``, ``twice`` or ``out_of_order``."""
    receipt_delay: float = 0.5
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: int = 0
    duplicates: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    pending: list[tuple[float, dict[str, Any]]] = field(default_factory=list)

    def take(self, key: str, record: dict[str, Any]) -> tuple[str, bool]:
        """Record a message by our id; ``(provider id, first time)``."""
        with self.lock:
            self.requests += 1
            if key in self.accepted:
                self.duplicates += 1
                return self.accepted[key]["biz_id"], False
            biz = f"biz-{next(self.ids)}"
            self.accepted[key] = {**record, "biz_id": biz, "at": time.time()}
            return biz, True


def provider_app(state: ProviderState) -> Starlette:
    """The Starlette app of the fake provider over ``state``."""

    async def aliyun(request: Request) -> Response:
        # parse_qsl, not request.form(): python-multipart's byte-wise parser was a third
        # of the provider's time in bench/outbox.py
        params = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        given = params.pop("Signature", "")
        if params.get("AccessKeyId") != KEY_ID or given != sign(params, KEY_SECRET, method="POST"):
            return JSONResponse({"Code": "SignatureDoesNotMatch", "Message": "bad signature"}, 400)
        if params.get("Action") == "QuerySendDetails":
            return JSONResponse(_details(state, params))
        return await _send_sms(state, params)

    async def webhook(request: Request) -> Response:
        body = await request.body()
        expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        if request.headers.get("x-servesell-signature") != expected:
            return JSONResponse({"error": "bad signature"}, 401)
        data = json.loads(body)
        take = lambda: state.take(data["id"], data)  # noqa: E731
        misbehaves = await _misbehave(state, data["to"], take, "webhook")
        if misbehaves is not None:
            return misbehaves
        biz, first = state.take(data["id"], data)
        if first:
            reached = state.behaviour.get(data["to"]) != "undeliverable"
            _schedule(state, data["id"], biz, generic=True, reached=reached)
        return JSONResponse({"id": biz})

    async def token(request: Request) -> Response:
        if (await request.json()).get("secret") != WECHAT_SECRET:
            return JSONResponse({"errcode": 40125, "errmsg": "invalid appsecret"})
        return JSONResponse({"access_token": "wx-token-DO-NOT-LEAK", "expires_in": 7200})

    async def wechat(request: Request) -> Response:
        if request.query_params.get("access_token") != "wx-token-DO-NOT-LEAK":
            return JSONResponse({"errcode": 40001, "errmsg": "invalid credential"})
        data = await request.json()
        take = lambda: state.take(data["client_msg_id"], data)  # noqa: E731
        misbehaves = await _misbehave(state, data["touser"], take, "wechat")
        if misbehaves is not None:
            return misbehaves
        biz, _ = state.take(data["client_msg_id"], data)
        return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": biz})

    async def stats(request: Request) -> Response:
        with state.lock:
            return JSONResponse(
                {
                    "requests": state.requests,
                    "unique": len(state.accepted),
                    "duplicates": state.duplicates,
                }
            )

    routes = [
        Route("/aliyun", aliyun, methods=["POST"]),
        Route("/webhook", webhook, methods=["POST"]),
        Route("/cgi-bin/stable_token", token, methods=["POST"]),
        Route("/cgi-bin/message/template/send", wechat, methods=["POST"]),
        Route("/_stats", stats),
    ]
    return Starlette(routes=routes)


async def _send_sms(state: ProviderState, params: dict[str, str]) -> Response:
    phone, out_id = params["PhoneNumbers"], params.get("OutId", "")
    record = {"phone": phone, "params": params.get("TemplateParam"), "out_id": out_id}
    misbehaves = await _misbehave(state, phone, lambda: state.take(out_id, record), "aliyun")
    if misbehaves is not None:
        return misbehaves
    biz, first = state.take(out_id, record)
    if first:
        _schedule(
            state, out_id, biz, generic=False, reached=state.behaviour.get(phone) != "undeliverable"
        )
    return JSONResponse({"Code": "OK", "Message": "OK", "BizId": biz, "RequestId": "r"})


REFUSALS = {
    "aliyun": (
        JSONResponse({"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}),
        JSONResponse({"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "业务限流"}),
    ),
    "webhook": (
        JSONResponse({"error": "invalid number"}, 400),
        JSONResponse({"error": "slow down"}, 429),
    ),
    "wechat": (
        JSONResponse({"errcode": 43004, "errmsg": "require subscribe"}),
        JSONResponse({"errcode": 45009, "errmsg": "reach max api daily quota limit"}),
    ),
}


async def _misbehave(state: ProviderState, address: str, take: Any, kind: str) -> Response | None:
    mode = state.behaviour.get(address)
    if mode == "reject":
        return REFUSALS[kind][0]
    if mode == "throttle":
        return REFUSALS[kind][1]
    if mode == "garbage":
        take()
        return PlainTextResponse("<html>502 upstream garbage", 200)
    if mode == "http500":
        return PlainTextResponse("internal error", 500)
    if mode == "timeout":
        take()  # it reached the provider, but the answer comes too late
        await asyncio.sleep(state.hang_seconds)
        return JSONResponse({"Code": "OK", "Message": "OK", "BizId": "late"})
    return None


def _details(state: ProviderState, params: dict[str, str]) -> dict[str, Any]:
    with state.lock:
        found = [r for r in state.accepted.values() if r.get("phone") == params["PhoneNumber"]]
    dtos = [
        {"OutId": r["out_id"], "BizId": r["biz_id"], "SendStatus": 3, "ErrCode": "DELIVERED"}
        for r in found
    ]
    return {"Code": "OK", "TotalCount": len(dtos), "SmsSendDetailDTOs": {"SmsSendDetailDTO": dtos}}


def _schedule(state: ProviderState, out_id: str, biz: str, *, generic: bool, reached: bool) -> None:
    if state.receipt_mode == "none":
        return
    now = time.monotonic()
    late = now + state.receipt_delay
    sent: dict[str, Any] | None
    done: dict[str, Any]
    if generic:
        sent = {"message_id": out_id, "status": "sent", "provider_id": biz}
        status = "delivered" if reached else "undelivered"
        done = {"message_id": out_id, "status": status, "provider_id": biz}
    else:
        sent = None
        code = "DELIVERED" if reached else "MOBILE_NOT_ON_SERVICE"
        done = {"out_id": out_id, "biz_id": biz, "success": reached, "err_code": code,
                "report_time": "2026-03-02 10:00:05", "phone_number": "13800000000"}  # fmt: skip
    plan: list[tuple[float, dict[str, Any]]]
    if state.receipt_mode == "out_of_order" and sent is not None:
        plan = [(now, done), (late, sent)]
    elif state.receipt_mode == "twice":
        plan = [(now, done), (late, done)]
    elif state.receipt_mode == "late":
        plan = [(late, done)]
    else:
        plan = [(now, done)]
    with state.lock:
        state.pending.extend(plan)


def take_receipts(state: ProviderState, *, due_by: float | None = None) -> list[dict[str, Any]]:
    """The receipts due by ``due_by`` (monotonic; default all), taken out of ``state``.

    For a caller without a receipt URL (``servesell demo``): it applies them itself
    through the same parser as the receipt endpoint.
    """
    with state.lock:
        due = [p for p in state.pending if due_by is None or p[0] <= due_by]
        for item in due:
            state.pending.remove(item)
    return [body for _, body in sorted(due, key=lambda p: p[0])]


def push_receipts(state: ProviderState, stop: threading.Event, *, batch: int = 200) -> None:
    """Post due receipts to ``state.receipt_url`` until ``stop`` (Aliyun pushes JSON arrays)."""
    with httpx.Client(timeout=10, trust_env=False) as http:
        while not stop.is_set() or (state.pending and state.receipt_url):
            now = time.monotonic()
            due: list[tuple[float, dict[str, Any]]] = []
            with state.lock:
                if state.receipt_url:
                    due = [p for p in state.pending if p[0] <= now][:batch]
                for item in due:
                    state.pending.remove(item)
            if due and state.receipt_url:
                try:
                    http.post(state.receipt_url, json=[body for _, body in due])
                except httpx.HTTPError:
                    with state.lock:  # like Aliyun: pushed again later
                        state.pending.extend((now + 1.0, body) for _, body in due)
            elif stop.is_set():
                return
            time.sleep(0.05)


@contextmanager
def running_provider(state: ProviderState | None = None) -> Iterator[tuple[str, ProviderState]]:
    """Serve the fake provider on 127.0.0.1 in a thread; yield ``(base URL, state)``."""
    state = state or ProviderState()
    port = free_port()
    config = uvicorn.Config(provider_app(state), host="127.0.0.1", port=port, log_level="error",
                            lifespan="off", timeout_keep_alive=30)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    stop = threading.Event()
    pusher = threading.Thread(target=push_receipts, args=(state, stop), daemon=True)
    pusher.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", state
    finally:
        stop.set()
        pusher.join(timeout=10)
        server.should_exit = True
        thread.join(timeout=10)
