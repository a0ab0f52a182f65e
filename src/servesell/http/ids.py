"""The shapes of ids and names in URLs, forms and bodies, shared by the API and the web app."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints, TypeAdapter, ValidationError

Id = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
]
"""A customer, call, decision or agent id as an integrator's system writes it."""

Name = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
"""A call reason, queue or user name."""

_ID = TypeAdapter(Id)
_NAME = TypeAdapter(Name)


def is_id(value: str) -> bool:
    """Whether ``value`` has the shape of an :data:`Id`.

    >>> is_id("C0001234"), is_id("../etc"), is_id("")
    (True, False, False)
    """
    return _valid(_ID, value)


def is_name(value: str) -> bool:
    """Whether ``value`` has the shape of a :data:`Name`.

    >>> is_name("billing_inquiry"), is_name("a b")
    (True, False)
    """
    return _valid(_NAME, value)


def _valid(kind: TypeAdapter[str], value: str) -> bool:
    try:
        kind.validate_python(value)
    except ValidationError:
        return False
    return True
