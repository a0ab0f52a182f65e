"""The shapes of ids and names in URLs, forms and bodies, shared by the API and the web app."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints, TypeAdapter, ValidationError

from servesell.domain.values import text_problem
from servesell.errors import InputFileError

MAX_FILE_NAME_BYTES = 255
"""The longest file name (in UTF-8 bytes) a file system stores: longer ones are refused."""

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


def upload_name(filename: str | None) -> str:
    """The name an uploaded file is stored under: its last path part, checked.

    A name with no usable last part (``""``, ``.``, ``..``, ``/``), over 255 bytes or with
    a control character is an :class:`~servesell.errors.InputFileError` saying so, never a
    path outside the upload folder.

    >>> upload_name("exports/customers.csv"), upload_name(None)
    ('customers.csv', 'upload.csv')
    >>> upload_name("..")
    Traceback (most recent call last):
    ...
    servesell.errors.InputFileError: upload file name '..' has no file name in it ...
    """
    if filename is None:
        return "upload.csv"
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    shown = filename if len(filename) <= 40 else f"{filename[:30]}... ({len(filename)} characters)"
    if name in ("", ".", ".."):
        raise InputFileError(
            f"upload file name {shown!r} has no file name in it (e.g. customers.csv)"
        )
    if len(name.encode("utf-8", "surrogatepass")) > MAX_FILE_NAME_BYTES:
        raise InputFileError(
            f"upload file name {shown!r} is longer than {MAX_FILE_NAME_BYTES} bytes"
        )
    problem = text_problem(name)
    if problem is not None:
        raise InputFileError(f"upload file name {shown!r} {problem}")
    return name


def _valid(kind: TypeAdapter[str], value: str) -> bool:
    try:
        kind.validate_python(value)
    except ValidationError:
        return False
    return True
