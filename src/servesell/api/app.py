"""The JSON API's part of the app: versioned endpoints for CTI, ACD and CRM integration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from servesell.api import errors
from servesell.api.routes import (
    admin,
    channels,
    customers,
    decisions,
    frontline,
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

The same users log in to the web app at `/login`; a browser session also authenticates
these endpoints (state-changing calls then need the `X-CSRF-Token` header).
"""


def mount(app: FastAPI) -> None:
    """Add the ``/v1`` endpoints, health checks and the JSON error handlers to ``app``."""
    errors.install(app)
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
    ):
        app.include_router(module.router)
