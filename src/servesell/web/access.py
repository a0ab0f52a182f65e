"""Who may open which page: not logged in goes to the login page, a missing role gets 403."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from servesell.store.users import Role, User


class LoginRequired(Exception):
    """The page needs a logged-in user."""


class PageForbidden(Exception):
    """The user's role does not include the one the page needs."""

    def __init__(self, needed: Role, user: User) -> None:
        super().__init__(f"this page needs the {needed.value} role; {user.name} is {user.role}")
        self.needed = needed
        self.user = user


def page_user(role: Role) -> Callable[[Request], Awaitable[User]]:
    """A dependency giving the logged-in user whose role includes ``role``."""

    async def check(request: Request) -> User:
        user: User | None = getattr(request.state, "user", None)
        if user is None:
            raise LoginRequired
        if not user.role.allows(role):
            raise PageForbidden(role, user)
        return user

    return check


def home_of(role: Role) -> str:
    """The page a user lands on after login."""
    homes = {Role.AGENT: "/agent", Role.SUPERVISOR: "/supervisor", Role.ADMIN: "/analyst",
             Role.SPECIALIST: "/handovers"}  # fmt: skip
    return homes[role]


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` when it is a path on this site, else ``fallback`` (no open redirects).

    >>> safe_next("/supervisor?x=1", "/agent")
    '/supervisor?x=1'
    >>> safe_next("//evil.example/", "/agent")
    '/agent'
    >>> safe_next("https://evil.example/", "/agent")
    '/agent'
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    return target


AgentPage = Annotated[User, Depends(page_user(Role.AGENT))]
SupervisorPage = Annotated[User, Depends(page_user(Role.SUPERVISOR))]
AdminPage = Annotated[User, Depends(page_user(Role.ADMIN))]
SpecialistPage = Annotated[User, Depends(page_user(Role.SPECIALIST))]
