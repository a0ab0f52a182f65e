"""Eligibility tagging inside PostgreSQL: the rules run where the customers are.

Profiles are JSON in ``customers.attributes``; the rules' SQL expects the batch layout
(one typed column per declared field, ``holdings`` as a text array: see
:mod:`servesell.rules.layout`). :func:`typed_customers_sql` builds that layout as a
query: ``json_to_record`` parses each profile once and casts every declared field to its
SQL type (int as BIGINT, float as DOUBLE PRECISION, date from its ISO text, ...), and a
field a profile lacks is NULL. The eligibility query (:func:`servesell.rules.batch.
eligibility_sql`) then reads it as a CTE, so no customer row leaves the database:
:func:`tag_in_database` writes the tags table with one ``INSERT ... SELECT``, and
:func:`iter_matrix` streams the matrix out only when a file is wanted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from servesell.domain.schema import FieldType
from servesell.errors import ConfigError
from servesell.rules.batch import eligibility_sql
from servesell.rules.layout import ID, arrow_schema
from servesell.rules.sql import HOLDINGS
from servesell.store.tables import customers, tags

if TYPE_CHECKING:
    import pyarrow as pa
    from sqlalchemy import Connection

    from servesell.domain.schema import ProfileSchema
    from servesell.rules.compiled import CompiledRule

TYPED = "typed_customers"
"""Name of the CTE holding the batch layout of the customers table."""
_PG_TYPES = {
    FieldType.INT: "BIGINT",
    FieldType.FLOAT: "DOUBLE PRECISION",
    FieldType.STR: "TEXT",
    FieldType.BOOL: "BOOLEAN",
    FieldType.DATE: "DATE",
}


def typed_customers_sql(schema: ProfileSchema) -> str:
    """``SELECT id, <field> ..., holdings FROM customers`` in the batch layout, typed."""
    holdings = f'ARRAY(SELECT json_array_elements_text(c.holdings)) AS "{HOLDINGS}"'
    if not schema.fields:
        return f'SELECT c.id AS "{ID}", {holdings} FROM customers AS c'
    fields = ", ".join(f'p."{spec.name}"' for spec in schema.fields)
    record = ", ".join(f'"{spec.name}" {_PG_TYPES[spec.type]}' for spec in schema.fields)
    return (
        f'SELECT c.id AS "{ID}", {fields}, {holdings} FROM customers AS c '
        f"CROSS JOIN LATERAL json_to_record(c.attributes) AS p({record})"
    )


def matrix_sql(
    rules: Mapping[str, CompiledRule],
    schema: ProfileSchema,
    *,
    today: dt.date,
    three_valued: bool = False,
) -> str:
    """The eligibility matrix of the stored customers as one PostgreSQL query."""
    body = eligibility_sql(
        rules, today=today, dialect="postgres", source=TYPED, three_valued=three_valued
    )
    return f'WITH "{TYPED}" AS ({typed_customers_sql(schema)}) {body}'


def tag_in_database(
    conn: Connection,
    rules: Mapping[str, CompiledRule],
    schema: ProfileSchema,
    *,
    as_of: dt.date,
) -> tuple[int, dict[str, int]]:
    """Replace the tags table with this run's eligible pairs, computed in the database.

    Returns the number of customers and the eligible customers per offer.
    """
    _require_postgresql(conn)
    conn.execute(tags.delete())
    if rules:
        conn.exec_driver_sql(_driver_text(_insert_tags_sql(rules, schema, as_of)), ())
    counts = dict.fromkeys(rules, 0)
    query = select(tags.c.offer_id, func.count()).group_by(tags.c.offer_id)
    counts.update({offer_id: int(n) for offer_id, n in conn.execute(query)})
    total = int(conn.execute(select(func.count()).select_from(customers)).scalar_one())
    return total, counts


def _insert_tags_sql(
    rules: Mapping[str, CompiledRule], schema: ProfileSchema, as_of: dt.date
) -> str:
    """One ``INSERT ... SELECT`` turning the matrix into (customer, offer) rows.

    Run as driver SQL: the rules' SQL may hold ``:`` (not a bind parameter here).
    """
    names = ", ".join(f"'{_quote(o)}'" for o in rules)
    flags = ", ".join(f'm."{_ident(o)}"' for o in rules)
    matrix = matrix_sql(rules, schema, today=as_of)
    return (
        "INSERT INTO tags (customer_id, offer_id, as_of, tagged_at) "
        f"SELECT m.\"{ID}\", v.offer_id, DATE '{as_of.isoformat()}', now() AT TIME ZONE 'UTC' "
        f"FROM ({matrix}) AS m CROSS JOIN LATERAL "
        f"unnest(ARRAY[{names}]::text[], ARRAY[{flags}]::boolean[]) AS v(offer_id, eligible) "
        "WHERE v.eligible"
    )


def iter_matrix(
    conn: Connection,
    rules: Mapping[str, CompiledRule],
    schema: ProfileSchema,
    *,
    today: dt.date,
    batch_size: int = 50_000,
    three_valued: bool = False,
) -> Iterator[pa.Table]:
    """The matrix computed in the database, streamed out as Arrow tables of ``batch_size`` rows.

    ``three_valued`` keeps a rule's NULL as NULL instead of not eligible (for checks).
    """
    import pyarrow as pa

    _require_postgresql(conn)
    offers = list(rules)
    out_schema = pa.schema(
        [arrow_schema(schema).field(ID), *(pa.field(o, pa.bool_()) for o in offers)]
    )
    result = conn.execution_options(stream_results=True, yield_per=batch_size).exec_driver_sql(
        _driver_text(matrix_sql(rules, schema, today=today, three_valued=three_valued)), ()
    )
    for rows in result.partitions():
        columns = list(zip(*rows, strict=True))
        yield pa.Table.from_arrays(
            [pa.array(column, type=f.type) for column, f in zip(columns, out_schema, strict=True)],
            schema=out_schema,
        )


def _require_postgresql(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        raise ConfigError(
            f"the postgres engine runs inside PostgreSQL; this database is {conn.dialect.name} "
            "(use --engine duckdb, or --db postgresql+psycopg://...)"
        )


def _driver_text(sql: str) -> str:
    """``sql`` for psycopg with (empty) parameters: a literal ``%`` is written ``%%``."""
    return sql.replace("%", "%%")


def _quote(value: str) -> str:
    return value.replace("'", "''")


def _ident(value: str) -> str:
    return value.replace('"', '""')
