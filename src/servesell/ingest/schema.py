"""Read a declared customer-profile schema from YAML.

The file is a mapping of field name to type, optionally under a ``fields:`` key::

    fields:
      account_age_days: int
      credit_limit: float
      repayment_mode: str
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from servesell.domain.schema import ProfileSchema
from servesell.errors import InputFileError, SchemaError
from servesell.ingest.yamlfile import read_yaml

if TYPE_CHECKING:
    from pathlib import Path


def read_schema_file(path: Path) -> ProfileSchema:
    """The schema declared in ``path``; a clear error naming the file when it is invalid."""
    data = read_yaml(path)
    if isinstance(data, dict) and set(data) == {"fields"}:
        data = data["fields"]
    if not isinstance(data, dict) or not data:
        raise InputFileError(f"{path}: expected a mapping of field name to type")
    bad = {name: kind for name, kind in data.items() if not isinstance(kind, str)}
    if bad:
        name = next(iter(bad))
        raise InputFileError(f"{path}: field {name!r}: type must be text, got {bad[name]!r}")
    try:
        return ProfileSchema.from_mapping({str(k): v for k, v in data.items()})
    except SchemaError as exc:
        raise SchemaError(f"{path}: {exc}") from None
