"""The customer-profile schema a contact center declares for its own CRM fields.

Every CRM names its fields differently, so servesell does not hard-code a profile: the
user declares ``name: type`` pairs (types ``int``, ``float``, ``str``, ``bool``,
``date``) and imports, rules and models validate against that declaration.

>>> schema = ProfileSchema.from_mapping({"credit_limit": "float", "opened_on": "date"})
>>> schema.parse("credit_limit", "5000")
5000.0
>>> schema.parse("opened_on", "2024-02-29")
datetime.date(2024, 2, 29)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from servesell.domain.values import (
    DecimalMark,
    parse_date,
    parse_number,
    show_value,
    text_problem,
)
from servesell.errors import SchemaError

Value = int | float | str | bool | dt.date | None
"""A profile value after parsing; ``None`` is a missing value (SQL NULL)."""

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_TRUE = frozenset({"true", "t", "yes", "y", "1", "是"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "否"})

RESERVED_FIELDS = frozenset(
    {
        "id",
        "holdings",
        "do_not_market",
        "blacklisted",
        "vip",
        "open_complaint",
        "phone",
        "email",
        "wechat_openid",
    }
)
"""Customer columns servesell owns; a declared profile field may not reuse these names."""


class FieldType(StrEnum):
    """The value types a profile field can declare."""

    INT = "int"
    FLOAT = "float"
    STR = "str"
    BOOL = "bool"
    DATE = "date"


class FieldSpec(BaseModel):
    """One declared profile field: a lower-case SQL-safe name and a type."""

    model_config = ConfigDict(frozen=True)

    name: str
    type: FieldType

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not _NAME.match(name):
            raise ValueError(
                f"field name {name!r} must be lower-case letters, digits and '_', "
                "start with a letter or '_', at most 63 characters"
            )
        if name in RESERVED_FIELDS:
            raise ValueError(f"field name {name!r} is reserved for servesell's own columns")
        return name


class ProfileSchema(BaseModel):
    """The declared profile: an ordered tuple of fields with unique names."""

    model_config = ConfigDict(frozen=True)

    fields: tuple[FieldSpec, ...]

    @field_validator("fields")
    @classmethod
    def _unique(cls, fields: tuple[FieldSpec, ...]) -> tuple[FieldSpec, ...]:
        seen: set[str] = set()
        for spec in fields:
            if spec.name in seen:
                raise ValueError(f"field {spec.name!r} is declared twice")
            seen.add(spec.name)
        return fields

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> ProfileSchema:
        """Build a schema from ``{name: type}``, raising :class:`SchemaError` when invalid."""
        from pydantic import ValidationError

        try:
            return cls(fields=tuple(FieldSpec(name=n, type=t) for n, t in mapping.items()))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise SchemaError(f"invalid profile schema: {first['msg']}") from None

    @property
    def names(self) -> tuple[str, ...]:
        """Field names in declaration order."""
        return tuple(spec.name for spec in self.fields)

    def type_of(self, name: str) -> FieldType:
        """The declared type of ``name``; KeyError when it is not declared."""
        return self._types()[name]

    def to_mapping(self) -> dict[str, str]:
        """``{name: type}`` in declaration order, the inverse of :meth:`from_mapping`."""
        return {spec.name: spec.type.value for spec in self.fields}

    def _types(self) -> dict[str, FieldType]:
        cached: dict[str, FieldType] | None = self.__dict__.get("_type_cache")
        if cached is None:
            cached = {spec.name: spec.type for spec in self.fields}
            object.__setattr__(self, "_type_cache", cached)
        return cached

    def parse(self, name: str, raw: Any, *, decimal: DecimalMark = ".") -> Value:
        """Parse one raw value (text from a CSV, or a native value) for field ``name``.

        Empty text and ``None`` are missing values. Raises ``ValueError`` with a reason
        a user can act on when the value does not fit the declared type.
        """
        return parse_value(self.type_of(name), raw, decimal=decimal)

    def parse_record(self, raw: Mapping[str, Any]) -> dict[str, Value]:
        """Parse every declared field of ``raw``; missing keys become ``None``."""
        return {name: self.parse(name, raw.get(name)) for name in self.names}


def parse_value(kind: FieldType, raw: Any, *, decimal: DecimalMark = ".") -> Value:
    """Parse ``raw`` as a value of ``kind``; see :meth:`ProfileSchema.parse`.

    Text is read as :mod:`servesell.domain.values` documents (strict numbers in the
    declared ``decimal`` locale, 64-bit whole numbers, a few date forms); a blank cell
    (only whitespace) and ``None`` are missing values.
    """
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if isinstance(raw, float) and math.isnan(raw):
        return None
    if kind is FieldType.INT:
        return parse_number(raw, whole=True, decimal=decimal)
    if kind is FieldType.FLOAT:
        return float(parse_number(raw, whole=False, decimal=decimal))
    return _PARSERS[kind](raw)


def _parse_str(raw: Any) -> str:
    if isinstance(raw, str):
        problem = text_problem(raw)
        if problem:
            raise ValueError(f"the text {problem}")
        return raw
    if isinstance(raw, bool | int | float | dt.date):
        return str(raw)
    raise ValueError(f"expected text, got {type(raw).__name__}")


def _parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    text = raw.strip(" \t").lower() if isinstance(raw, str) else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected true/false (or yes/no, 1/0), got {show_value(raw)}")


_PARSERS: dict[FieldType, Callable[[Any], Value]] = {
    FieldType.STR: _parse_str,
    FieldType.BOOL: _parse_bool,
    FieldType.DATE: parse_date,
}


def to_json_value(value: Value) -> int | float | str | bool | None:
    """A profile value as JSON (dates as ISO text); the store keeps profiles as JSON."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def from_json_values(schema: ProfileSchema, stored: Mapping[str, Any]) -> dict[str, Value]:
    """Rebuild typed profile values from their JSON form, for every declared field."""
    out: dict[str, Value] = {}
    for spec in schema.fields:
        raw = stored.get(spec.name)
        if raw is not None and spec.type is FieldType.DATE:
            out[spec.name] = dt.date.fromisoformat(raw)
        else:
            out[spec.name] = raw
    return out
