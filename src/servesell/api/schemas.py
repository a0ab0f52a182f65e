"""Request and response bodies of the HTTP API (what ``/openapi.json`` documents)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from servesell.domain import Channel, Language, OutcomeResult
from servesell.http.ids import Id, Name
from servesell.report.kpis import Kpis


class Strict(BaseModel):
    """Base of request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class DecisionRequest(Strict):
    """A screen pop: the calling customer and the call."""

    customer_id: Id
    call_id: Id | None = None
    agent_id: Id | None = None
    reason: Name = "other"
    queue: Name = "default"
    language: Language | None = Field(
        default=None, description="The caller's language (the IVR's choice) for the scripts"
    )
    at: AwareDatetime | None = Field(default=None, description="Call answer time; default now")


class OutcomeRequest(Strict):
    """What happened to a shown offer."""

    offer_id: Id
    result: OutcomeResult
    channel: Channel = Channel.IN_CALL
    decline_reason: Annotated[str, StringConstraints(max_length=200)] | None = None
    extra_handle_seconds: float | None = Field(default=None, ge=0, le=3600)
    recorded_at: AwareDatetime | None = None


class OutcomeOut(BaseModel):
    """The stored outcome; ``created`` is false when the same outcome was already stored."""

    decision_id: str
    offer_id: str
    result: OutcomeResult
    channel: Channel
    created: bool


class QueueStateIn(Strict):
    """The ACD's report of one queue."""

    calls_waiting: int = Field(ge=0, le=1_000_000)
    agents_staffed: int = Field(ge=0, le=100_000)
    agents_available: int = Field(ge=0, le=100_000)
    agents_wrap_up: int = Field(default=0, ge=0, le=100_000)
    longest_wait_seconds: float = Field(default=0.0, ge=0, le=86_400)
    arrival_rate_per_hour: float | None = Field(default=None, ge=0, le=10_000_000)
    aht_seconds: float | None = Field(default=None, gt=0, le=86_400)
    service_level_today: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Share of today's answered or abandoned calls answered within the target.",
    )
    calls_today: int | None = Field(
        default=None,
        ge=0,
        le=100_000_000,
        description=(
            "Calls offered to the queue today so far (the ACD's 'calls offered': callers "
            "diverted to self-service and callers still waiting included)."
        ),
    )
    at: AwareDatetime | None = None


class CustomerIn(Strict):
    """A customer record; ``attributes`` holds the declared profile fields."""

    attributes: dict[str, Any] = Field(default_factory=dict)
    holdings: list[Annotated[str, StringConstraints(max_length=64)]] = Field(default_factory=list)
    do_not_market: bool = False
    blacklisted: bool = False
    vip: bool = False
    open_complaint: bool = False
    phone: Annotated[str, StringConstraints(max_length=32)] | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    wechat_openid: Annotated[str, StringConstraints(max_length=64)] | None = None


class CustomerOut(CustomerIn):
    """A stored customer."""

    model_config = ConfigDict(extra="ignore")

    id: str


class CustomerImportIn(Strict):
    """A batch of customers to upsert."""

    customers: list[dict[str, Any]] = Field(max_length=10_000)


class RowError(BaseModel):
    """Why one imported row was not accepted."""

    where: str
    id: str
    column: str
    value: str
    reason: str


class ImportOut(BaseModel):
    """Rows accepted and every reason a row was rejected."""

    accepted: int
    rejected: int
    errors: list[RowError]


class RuleCheckIn(Strict):
    """An eligibility rule to validate."""

    rule: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    preview: bool = Field(default=False, description="Also count eligible customers")


class RuleProblem(BaseModel):
    """A rule error and where it starts (0-based character offset)."""

    message: str
    position: int | None


class RuleCheckOut(BaseModel):
    """Whether the rule is valid, its errors, and optionally how many customers it selects."""

    valid: bool
    errors: list[RuleProblem]
    eligible_customers: int | None = Field(
        default=None, description="Customers the rule selects (estimated when `estimate`)"
    )
    customers_scanned: int | None = Field(default=None, description="Customers evaluated")
    customers_total: int | None = Field(default=None, description="Customers in the store")
    estimate: bool | None = Field(
        default=None,
        description="True when the count is scaled from a sample or a scan cut short by "
        "the time limit, not a full count",
    )


class UserIn(Strict):
    """A new user."""

    name: Name
    role: Literal["agent", "supervisor", "admin"]
    password: Annotated[str, StringConstraints(min_length=8, max_length=200)] | None = None


class UserOut(BaseModel):
    """A user; ``token`` only in the response that created it."""

    name: str
    role: str
    token: str | None = None


class KpisOut(BaseModel):
    """KPIs over a time window, optionally per group (definitions in ``report/kpis.py``)."""

    since: dt.datetime | None
    until: dt.datetime | None
    group_by: str | None
    currency: str
    rows: list[Kpis]


class ErrorOut(BaseModel):
    """What went wrong, for a person to read (422 bodies list each problem with its place)."""

    detail: str | list[dict[str, Any]]
    position: int | None = None


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses."""
    text = {
        400: "Bad request (invalid value, bad encoding)",
        401: "Missing or invalid bearer token",
        403: "Your role does not allow this",
        404: "Unknown id",
        409: "Conflicts with the decision log",
        413: "Request body too large",
        422: "Invalid request body or parameters, or a value refused (bounds, the server's clock)",
        503: "The database is not available; retry after the Retry-After header's seconds",
    }
    return {code: {"model": ErrorOut, "description": text[code]} for code in codes}


AUTHED = errors(400, 401, 403, 413, 422, 503)
"""The errors any authenticated endpoint can answer with."""


class Health(BaseModel):
    """Liveness or readiness."""

    status: Literal["ok", "unavailable"]
    detail: str = ""
