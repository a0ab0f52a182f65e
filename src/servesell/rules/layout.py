"""The batch table layout: one row per customer, one typed column per profile field.

Batch engines read customers as a table with ``id`` (text), every declared profile field
in its SQL type (int as 64-bit integer, float as double, str as text, bool, date) and
``holdings`` as a list of product codes. This module builds that table as Arrow, which
DuckDB (and Spark, and parquet) read without copying.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyarrow as pa

from servesell.domain.schema import FieldType
from servesell.rules.sql import HOLDINGS

if TYPE_CHECKING:
    from servesell.domain.customer import Customer
    from servesell.domain.schema import ProfileSchema

ID = "id"
_ARROW_TYPES = {
    FieldType.INT: pa.int64(),
    FieldType.FLOAT: pa.float64(),
    FieldType.STR: pa.string(),
    FieldType.BOOL: pa.bool_(),
    FieldType.DATE: pa.date32(),
}


def arrow_schema(schema: ProfileSchema) -> pa.Schema:
    """The Arrow schema of the batch table for ``schema``."""
    fields = [pa.field(ID, pa.string(), nullable=False)]
    fields += [pa.field(spec.name, _ARROW_TYPES[spec.type]) for spec in schema.fields]
    fields.append(pa.field(HOLDINGS, pa.list_(pa.string())))
    return pa.schema(fields)


def customers_to_arrow(customers: Iterable[Customer], schema: ProfileSchema) -> pa.Table:
    """``customers`` as a batch table (floats stored in int fields are refused by Arrow)."""
    rows = list(customers)
    columns: dict[str, list[object]] = {ID: [c.id for c in rows]}
    for name in schema.names:
        columns[name] = [c.attributes.get(name) for c in rows]
    columns[HOLDINGS] = [sorted(c.holdings) for c in rows]
    return pa.Table.from_pydict(columns, schema=arrow_schema(schema))


def layout_problems(found: pa.Schema, schema: ProfileSchema) -> list[str]:
    """What keeps a table with Arrow schema ``found`` from being read as the batch layout.

    Extra columns are allowed; narrower integers and floats and large strings are read as
    their wider type. An empty list means the table can be tagged as it is.
    """
    problems = []
    for wanted in arrow_schema(schema):
        index = found.get_field_index(wanted.name)
        if index < 0:
            problems.append(f"column {wanted.name!r} is missing")
            continue
        have = found.field(index).type
        if not _reads_as(have, wanted.type):
            problems.append(f"column {wanted.name!r} is {have}, expected {wanted.type}")
    return problems


def _reads_as(have: pa.DataType, wanted: pa.DataType) -> bool:
    if have == wanted:
        return True
    if pa.types.is_integer(wanted) and pa.types.is_integer(have):
        return bool(pa.types.is_signed_integer(have) or have.bit_width < 64)
    if pa.types.is_floating(wanted) and pa.types.is_floating(have):
        return True
    if pa.types.is_string(wanted):
        return bool(pa.types.is_large_string(have) or pa.types.is_string_view(have))
    if pa.types.is_list(wanted):
        listed = bool(pa.types.is_list(have) or pa.types.is_large_list(have))
        return listed and _reads_as(have.value_type, wanted.value_type)
    return False
