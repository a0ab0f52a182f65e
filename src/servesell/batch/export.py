"""Export the decision log and the customers as parquet, partitioned by day, for Spark and co.

``export(engine, what, out, tz=...)`` streams the rows out of the store in batches (flat
memory) into ``out/<table>/day=YYYY-MM-DD/*.parquet`` (hive partitions: Spark, DuckDB,
pandas and Trino read them as one table). The day is the center's local date of the
row's own time: a decision's ``made_at`` (its candidates follow their decision), an
outcome's ``recorded_at``, a call's ``started_at``, a customer's last update. What:

* ``decisions``: ``decisions``, ``decision_candidates``, ``outbox_messages`` (the
  follow-ups), ``handovers`` and ``script_allocations`` (the front line's), each on
  its decision's day, ``calls`` and ``agents`` (the tables the KPIs sum; agents, a small
  dimension, as one file);
* ``outcomes``: ``outcomes``;
* ``customers``: the batch layout (``id``, one typed column per declared field,
  ``holdings`` as a list; :mod:`servesell.rules.layout`) plus the contact flags, which
  ``servesell tag --engine spark --customers`` reads as it is.

A partition written again replaces the old one; other days are left alone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Date, Float, Integer, select

from servesell.domain.schema import from_json_values
from servesell.errors import InputFileError
from servesell.rules.layout import ID, arrow_schema
from servesell.rules.sql import HOLDINGS
from servesell.store import require_schema
from servesell.store.tables import (
    UtcDateTime,
    agents,
    calls,
    customers,
    decision_candidates,
    decisions,
    handovers,
    outbox_messages,
    outcomes,
    script_allocations,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from sqlalchemy import Connection, Engine, Select, Table

WHAT = ("decisions", "outcomes", "customers")
DAY = "day"
"""The partition column (``day=YYYY-MM-DD`` folders)."""
FLAGS = ("do_not_market", "blacklisted", "vip", "open_complaint")
BATCH = 50_000


def export(engine: Engine, what: str, out: Path, *, tz: dt.tzinfo) -> dict[str, int]:
    """Write ``what`` under ``out``; rows written per table."""
    if what not in WHAT:
        raise InputFileError(f"cannot export {what!r}; choose one of {', '.join(WHAT)}")
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with engine.connect() as conn:
        if what == "customers":
            written["customers"] = _customers(conn, out / "customers", tz)
        elif what == "outcomes":
            written["outcomes"] = _table(
                conn, outcomes, select(outcomes), "recorded_at", out / "outcomes", tz=tz
            )
        else:
            written |= _decision_log(conn, out, tz)
    return written


def _decision_log(conn: Connection, out: Path, tz: dt.tzinfo) -> dict[str, int]:
    """Decisions, the rows that hang off them (on their decision's day), calls and agents."""
    written = {
        "decisions": _table(conn, decisions, select(decisions), "made_at", out / "decisions", tz=tz)
    }
    for child in (decision_candidates, outbox_messages, handovers, script_allocations):
        rows = select(child, decisions.c.made_at).join(
            decisions, decisions.c.id == child.c.decision_id
        )
        written[child.name] = _table(conn, child, rows, "made_at", out / child.name, tz=tz)
    written["calls"] = _table(conn, calls, select(calls), "started_at", out / "calls", tz=tz)
    written["agents"] = _dimension(conn, agents, out / "agents")
    return written


def _table(
    conn: Connection, source: Table, query: Select[Any], at: str, out: Path, *, tz: dt.tzinfo
) -> int:
    """``source``'s rows selected by ``query``, partitioned by the local day of column ``at``."""
    import pyarrow as pa

    schema = _arrow_schema(source)

    def batches() -> Iterator[pa.RecordBatch]:
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
        for rows in result.partitions():
            columns = {f.name: [_plain(getattr(r, f.name)) for r in rows] for f in schema}
            columns[DAY] = [_day(getattr(r, at), tz) for r in rows]
            yield pa.RecordBatch.from_pydict(columns, schema=_with_day(schema))

    return _write(batches(), _with_day(schema), out)


def _customers(conn: Connection, out: Path, tz: dt.tzinfo) -> int:
    """The customers in the batch layout plus their contact flags, by day of last update."""
    import pyarrow as pa

    schema = require_schema(conn)
    if DAY in schema.names:
        raise InputFileError(f"profile field {DAY!r} clashes with the export's partition column")
    full = arrow_schema(schema)
    for flag in FLAGS:
        full = full.append(pa.field(flag, pa.bool_()))
    full = _with_day(full)

    def batches() -> Iterator[pa.RecordBatch]:
        query = select(customers).order_by(customers.c.id)
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
        for rows in result.partitions():
            profiles = [from_json_values(schema, row.attributes) for row in rows]
            columns: dict[str, list[Any]] = {ID: [row.id for row in rows]}
            columns |= {name: [p[name] for p in profiles] for name in schema.names}
            columns[HOLDINGS] = [sorted(row.holdings) for row in rows]
            columns |= {flag: [getattr(row, flag) for row in rows] for flag in FLAGS}
            columns[DAY] = [_day(row.updated_at, tz) for row in rows]
            yield pa.RecordBatch.from_pydict(columns, schema=full)

    return _write(batches(), full, out)


def _dimension(conn: Connection, table: Table, out: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _arrow_schema(table)
    rows = conn.execute(select(table)).all()
    columns = {f.name: [_plain(getattr(r, f.name)) for r in rows] for f in schema}
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns, schema=schema), out / "part-0.parquet")
    return len(rows)


def _write(batches: Iterator[Any], schema: pa.Schema, out: Path) -> int:
    import pyarrow.dataset as ds

    count = [0]

    def counted() -> Iterator[Any]:
        for batch in batches:
            if batch is not None and batch.num_rows:
                count[0] += batch.num_rows
                yield batch

    ds.write_dataset(
        counted(),
        out,
        schema=schema,
        format="parquet",
        partitioning=[DAY],
        partitioning_flavor="hive",
        existing_data_behavior="delete_matching",
        basename_template="part-{i}.parquet",
    )
    if not any(out.glob("*/*.parquet")):
        _write_empty(schema, out)
    return count[0]


def _write_empty(schema: pa.Schema, out: Path) -> None:
    """A table with no rows yet is still a table: one empty file, so readers see its columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    empty = out / f"{DAY}=1970-01-01"
    empty.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table([[] for _ in schema], schema=schema), empty / "part-0.parquet")


def _arrow_schema(table: Table) -> pa.Schema:
    """Arrow types of a store table's columns (JSON as text, times as UTC timestamps)."""
    import pyarrow as pa

    fields = []
    for column in table.columns:
        kind = column.type
        if isinstance(kind, UtcDateTime):
            arrow = pa.timestamp("us", tz="UTC")
        elif isinstance(kind, Boolean):
            arrow = pa.bool_()
        elif isinstance(kind, Integer):
            arrow = pa.int64()
        elif isinstance(kind, Float):
            arrow = pa.float64()
        elif isinstance(kind, Date):
            arrow = pa.date32()
        else:
            arrow = pa.string()
        fields.append(pa.field(column.name, arrow, nullable=column.nullable or False))
    return pa.schema(fields)


def _with_day(schema: pa.Schema) -> pa.Schema:
    import pyarrow as pa

    return schema.append(pa.field(DAY, pa.string()))


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _day(stamp: dt.datetime, tz: dt.tzinfo) -> str:
    return stamp.astimezone(tz).date().isoformat()
