"""What every route of the API and the web app depends on: the process's parts and the user.

The app keeps each long-lived part on ``app.state`` under its own name (the call desk, the
engine source, the token cache, the database); a route asks for exactly the parts it uses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from anyio import CapacityLimiter
from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine
from starlette.datastructures import State

from servesell.config import Settings
from servesell.service.catalog import PreviewSlots
from servesell.service.engines import LiveEngine
from servesell.service.screen import CallDesk
from servesell.service.tokens import TokenCache
from servesell.store.users import Role, User, user_by_token

bearer = HTTPBearer(auto_error=False, description="A token from `servesell users add`.")


async def get_desk(request: Request) -> CallDesk:
    """The process's call desk (decides calls, judges queue modes)."""
    desk: CallDesk = request.app.state.desk
    return desk


async def get_engines(request: Request) -> LiveEngine:
    """The process's engine source (invalidated after a catalog, policy or gate change)."""
    engines: LiveEngine = request.app.state.desk.engines
    return engines


async def get_tokens(request: Request) -> TokenCache:
    """The process's cache of verified tokens and session users."""
    tokens: TokenCache = request.app.state.tokens
    return tokens


async def get_previews(request: Request) -> PreviewSlots:
    """The worker's rule-preview slots (made on first use; no await, so no race)."""
    slots: PreviewSlots | None = getattr(request.app.state, "previews", None)
    if slots is None:
        slots = request.app.state.previews = PreviewSlots()
    return slots


async def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_db(request: Request) -> Engine:
    """The database engine."""
    db: Engine = request.app.state.desk.db
    return db


def get_conn(db: Annotated[Engine, Depends(get_db)]) -> Iterator[Connection]:
    """A read-only connection for the request (writes use their own transactions)."""
    with db.connect() as conn:
        yield conn


DeskDep = Annotated[CallDesk, Depends(get_desk)]
EnginesDep = Annotated[LiveEngine, Depends(get_engines)]
TokensDep = Annotated[TokenCache, Depends(get_tokens)]
PreviewsDep = Annotated[PreviewSlots, Depends(get_previews)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
DbDep = Annotated[Engine, Depends(get_db)]
ConnDep = Annotated[Connection, Depends(get_conn)]


async def current_user(
    request: Request,
    db: DbDep,
    tokens: TokensDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    """The user whose bearer token came with the request; 401 without a valid one.

    Tokens are checked against the database at most every few seconds per worker
    (:class:`~servesell.service.tokens.TokenCache`), so a revoked token stops working
    within that time.
    """
    return await _authenticate(request, db, tokens, credentials)


async def _authenticate(
    request: Request,
    db: Engine,
    tokens: TokenCache,
    credentials: HTTPAuthorizationCredentials | None,
) -> User:
    token = credentials.credentials if credentials else None
    if token is None:
        session_user: User | None = getattr(request.state, "user", None)
        if session_user is not None:
            return session_user
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token (Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    user = tokens.get(token)
    if user is None:
        user = await run_in_threadpool(_lookup, db, tokens, token)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "invalid or revoked token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def _lookup(db: Engine, tokens: TokenCache, token: str) -> User | None:
    with db.connect() as conn:
        user = user_by_token(conn, token)
    if user is not None:
        tokens.put(token, user)
    return user


def require(role: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency that admits users whose role includes ``role``; 403 otherwise."""

    async def check(user: Annotated[User, Depends(current_user)]) -> User:
        return _admitted(user, role)

    return check


def _admitted(user: User, role: Role) -> User:
    """``user`` when their role includes ``role``; 403 otherwise."""
    if not user.role.allows(role):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"this needs the {role.value} role; you are {user.role.value}",
        )
    return user


@dataclass(frozen=True, slots=True)
class AgentCall:
    """What a call-time route needs, resolved in one dependency: the agent and the parts.

    ``POST /v1/decisions`` is the hot path: FastAPI solves each dependency on every
    request, and the five this replaces (desk, token cache, settings, the role check,
    the user) cost more CPU than the logged decision (``bench/api.py``). The checks are
    :data:`AgentDep`'s, in the same order, with the same answers.
    """

    user: User
    desk: CallDesk
    tokens: TokenCache
    settings: Settings
    threads: CapacityLimiter


DECISION_THREADS = 8
"""Decisions a worker runs in threads at once; the others wait their turn as coroutines.

Python runs one thread at a time, and a decision is mostly Python: more threads than
this only took turns at the interpreter lock (PostgreSQL, 40 threads: ~70 context
switches per decision) and, beyond the database pool, opened and closed connections."""


async def agent_call(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> AgentCall:
    """The agent calling (401/403 as :data:`AgentDep`) with the process's parts."""
    state = request.app.state
    desk: CallDesk = state.desk
    tokens: TokenCache = state.tokens
    user = await _authenticate(request, desk.db, tokens, credentials)
    return AgentCall(_admitted(user, Role.AGENT), desk, tokens, state.settings, _threads(state))


def known_agent_call(state: State, token: str) -> AgentCall | None:
    """:func:`agent_call`'s answer for a bearer token verified recently in this worker.

    None when the token is not in the worker's cache or its user may not act as an agent:
    :func:`agent_call` then answers (the database look-up, 401, 403).
    """
    tokens: TokenCache = state.tokens
    user = tokens.get(token)
    if user is None or not user.role.allows(Role.AGENT):
        return None
    return AgentCall(user, state.desk, tokens, state.settings, _threads(state))


def _threads(state: State) -> CapacityLimiter:
    """The worker's decision threads (made on first use, in the event loop; no await)."""
    threads: CapacityLimiter | None = getattr(state, "decision_threads", None)
    if threads is None:
        threads = state.decision_threads = CapacityLimiter(DECISION_THREADS)
    return threads


AgentDep = Annotated[User, Depends(require(Role.AGENT))]
AgentCallDep = Annotated[AgentCall, Depends(agent_call)]
SupervisorDep = Annotated[User, Depends(require(Role.SUPERVISOR))]
AdminDep = Annotated[User, Depends(require(Role.ADMIN))]
SpecialistDep = Annotated[User, Depends(require(Role.SPECIALIST))]
