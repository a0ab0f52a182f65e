"""The JSON API's part of the app: versioned endpoints for CTI, ACD and CRM integration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from servesell.api import errors
from servesell.api.fastpath import DecisionFastPath
from servesell.api.routes import (
    admin,
    channels,
    customers,
    decisions,
    frontline,
    journeys,
    kpis,
    model,
    offers,
    policy,
    queues,
    surveys,
)

if TYPE_CHECKING:
    from fastapi import FastAPI

DESCRIPTION = """\
servesell tells the agent which offer (if any) fits the calling customer now, and only
when the queue can afford the extra seconds. Every endpoint but `/healthz` and
`/readyz` needs `Authorization: Bearer <token>` (tokens from `servesell users add`).
Roles: **agent** (decisions, outcomes, mode), **supervisor** (+ KPIs, queue state, gate,
policy view, audit), **admin** (+ catalog, policy, customers, users); **specialist**
(hand-over results only; supervisors and admins may record them too).

An agent acts only as themselves, on their own calls: `agent_id` must be absent or their
own name, outcomes only on their own decisions, and customers and decisions are readable
only while the agent has a call open with the customer (a decision of theirs on that
customer in the last `SERVESELL_CALL_OPEN_MINUTES`, default 60); otherwise 403. A CTI
deciding for many agents uses a supervisor token and names an existing agent. Supervisors
may record an outcome on any call (audited as a correction). Reads of customers and
decisions are audited. Rule previews are bounded (sampled estimate, time limit, one per
user at a time: 429 with `Retry-After`).

The same users log in to the web app at `/login`; a browser session also authenticates
these endpoints (state-changing calls then need the `X-CSRF-Token` header).
"""


def mount(app: FastAPI) -> None:
    """Add the ``/v1`` endpoints, health checks and the JSON error handlers to ``app``.

    The screen pop's fast path goes in first, so every middleware added later (the web
    session, body limit, access log) still wraps it.
    """
    errors.install(app)
    app.add_middleware(DecisionFastPath)
    for module in (
        admin,
        decisions,
        queues,
        customers,
        offers,
        policy,
        kpis,
        channels,
        model,
        surveys,
        frontline,
        journeys,
    ):
        app.include_router(module.router)
