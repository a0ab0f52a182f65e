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

if TYPE_CHECKING:
    from sqlalchemy import Connection, Dialect, Table

Processor = Callable[[Any], Any]


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
