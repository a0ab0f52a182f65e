"""Appending many rows with one DBAPI ``executemany``: the hot path's inserts.

SQLAlchemy builds a parameter dictionary per row and per statement (``bench/decide.py``:
a 27-candidate decision spent 5.6 ms there under load, more than deciding). Here the SQL
and each column's bind processor (``UtcDateTime``, JSON) are prepared once per table and
dialect, and rows go to the driver as plain tuples — the values stored are exactly what
SQLAlchemy would store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float

if TYPE_CHECKING:
    from sqlalchemy import Connection, Dialect, Table

Processor = Callable[[Any], Any]
Processors = tuple[tuple[int, Processor], ...]


def append_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    skip_existing: bool = False,
    bound: bool = False,
) -> None:
    """Insert ``rows`` (values in ``columns`` order) into ``table`` in one round trip.

    ``skip_existing`` keeps rows whose unique key is already taken (``ON CONFLICT DO
    NOTHING``, SQLite and PostgreSQL alike): re-running an idempotent batch adds nothing.
    ``bound``: the rows are tuples whose values already went through :func:`bind_processor`.
    """
    if not rows:
        return
    sql, processors = _prepared(table, tuple(columns), conn.dialect)
    if skip_existing:
        sql += " ON CONFLICT DO NOTHING"
    if processors and not bound:
        rows = [_processed(row, processors) for row in rows]
    if len(rows) == 1:
        conn.exec_driver_sql(sql, tuple(rows[0]))
    else:
        conn.exec_driver_sql(sql, rows if bound else [tuple(row) for row in rows])


def append_with_children(
    conn: Connection,
    parent: tuple[Table, Sequence[str], Sequence[Any]],
    children: tuple[Table, Sequence[str], Sequence[Sequence[Any]]],
) -> None:
    """Insert one ``parent`` row and its ``children`` rows: ``(table, columns, rows)``.

    On PostgreSQL it is one statement, so one round trip and no ``executemany`` (which
    psycopg runs in pipeline mode, a wait on the socket per queued command): the parent
    in a data-modifying ``WITH``, the children from ``unnest`` of one array per column,
    each cast to its column's type. Same rows and values as :func:`append_rows`, which
    other databases get (twice).
    """
    parent_table, parent_columns, row = parent
    table, columns, rows = children
    if conn.dialect.name != "postgresql":
        append_rows(conn, parent_table, parent_columns, [row])
        append_rows(conn, table, columns, rows)
        return
    sql, processors, floats = _family(
        parent_table, tuple(parent_columns), table, tuple(columns), conn.dialect
    )
    values = _processed(row, processors[0]) if processors[0] else list(row)
    arrays = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in columns]
    for index, process in processors[1]:
        arrays[index] = [process(value) for value in arrays[index]]
    for index in floats:  # psycopg refuses a list mixing int and float
        arrays[index] = [None if value is None else float(value) for value in arrays[index]]
    conn.exec_driver_sql(sql, (*values, *arrays))


@lru_cache(maxsize=16)
def _family(
    parent: Table,
    parent_columns: tuple[str, ...],
    child: Table,
    columns: tuple[str, ...],
    dialect: Dialect,
) -> tuple[str, tuple[Processors, Processors], tuple[int, ...]]:
    """The statement of :func:`append_with_children` on PostgreSQL and what goes with it.

    Also both tables' bind processors and the children's float columns (by index).
    """
    first, parent_processors = _prepared(parent, parent_columns, dialect)
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    casts = ", ".join(f"%s::{child.c[c].type.compile(dialect=dialect)}[]" for c in columns)
    sql = (
        f"WITH parent AS ({first}) "
        f"INSERT INTO {quote(child.name)} ({names}) SELECT * FROM unnest({casts})"
    )
    child_processors = _prepared(child, columns, dialect)[1]
    floats = tuple(i for i, c in enumerate(columns) if isinstance(child.c[c].type, Float))
    return sql, (parent_processors, child_processors), floats


def bind_processor(conn: Connection, table: Table, column: str) -> Processor:
    """What :func:`append_rows` does to a value of ``table.column`` before the driver sees it.

    For a caller that converts values once for many rows (rows with ``bound=True``).
    """
    found = _processor(table.c[column].type, conn.dialect)
    return found if found is not None else _same


def _same(value: Any) -> Any:
    return value


def _processed(row: Sequence[Any], processors: tuple[tuple[int, Processor], ...]) -> list[Any]:
    values = list(row)
    for index, process in processors:
        values[index] = process(values[index])
    return values


@lru_cache(maxsize=64)
def _prepared(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[tuple[int, Processor], ...]]:
    """The INSERT statement and the (column index, bind processor) pairs that apply."""
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join([mark] * len(columns))
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"
    found = ((i, _processor(table.c[c].type, dialect)) for i, c in enumerate(columns))
    return sql, tuple((i, p) for i, p in found if p is not None)


def _processor(kind: Any, dialect: Dialect) -> Processor | None:
    """The column's bind processor; for ``UtcDateTime`` on SQLite a faster equal one.

    SQLAlchemy's SQLite ``DATETIME`` writes ``YYYY-MM-DD HH:MM:SS.ffffff``; so does
    :func:`sqlite_utc`, at a fifth of the cost (``bench/journeys.py`` writes millions).
    """
    from servesell.store.tables import UtcDateTime

    if isinstance(kind, UtcDateTime) and dialect.name == "sqlite":
        return sqlite_utc
    processor: Processor | None = kind.dialect_impl(dialect).bind_processor(dialect)
    return processor


@lru_cache(maxsize=8192)  # planned steps share few distinct times (bench/journeys.py)
def sqlite_utc(value: dt.datetime | None) -> str | None:
    """``value`` as SQLite stores a ``UtcDateTime`` (naive UTC text); naive input refused."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: servesell stores aware datetimes only")
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
