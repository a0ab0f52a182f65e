"""Where ``servesell tag`` reads customers from and writes matrices to, batch by batch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from servesell.ingest.customers import check_columns, parse_rows
from servesell.ingest.tabular import open_table
from servesell.rules.batch import eligible_pairs
from servesell.store import clear_tags, insert_tags, iter_customers

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    import pyarrow as pa
    from sqlalchemy import Connection
    from sqlalchemy.engine import Engine as DbEngine

    from servesell.domain.customer import Customer
    from servesell.domain.schema import ProfileSchema

BATCH = 50_000
"""Customers per batch of a tagging run."""


def store_batches(database: DbEngine, schema: ProfileSchema) -> Iterator[list[Customer]]:
    """The store's customers in batches of :data:`BATCH`."""
    with database.connect() as conn:
        batch: list[Customer] = []
        for customer in iter_customers(conn, schema, batch_size=BATCH):
            batch.append(customer)
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch


def file_batches(
    path: Path, schema: ProfileSchema, rejected: list[int]
) -> Iterator[list[Customer]]:
    """The valid customers of an import file in batches; ``rejected[0]`` counts the others."""
    table = open_table(path)
    check_columns(table, schema, ignore_unknown=True)
    batch: list[Customer] = []
    for row in parse_rows(table, schema):
        if row.customer is None:
            rejected[0] += 1
            continue
        batch.append(row.customer)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class StoreSink:
    """Replaces the tags table with this run's eligible pairs."""

    def __init__(self, conn: Connection, day: dt.date) -> None:
        self.conn = conn
        self.day = day
        clear_tags(conn)

    def __call__(self, matrix: pa.Table) -> None:
        """Store the eligible pairs of one batch's matrix."""
        insert_tags(self.conn, eligible_pairs(matrix), as_of=self.day)


class ParquetSink:
    """Appends each batch's matrix to one parquet file (an empty matrix when no customers)."""

    def __init__(self, path: Path, offer_ids: list[str]) -> None:
        self.path = path
        self.offer_ids = offer_ids
        self.writer: Any = None

    def __enter__(self) -> ParquetSink:
        return self

    def __call__(self, matrix: pa.Table) -> None:
        """Append one batch's matrix."""
        import pyarrow.parquet as pq

        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, matrix.schema)
        self.writer.write_table(matrix)

    def __exit__(self, *_exc: object) -> None:
        if self.writer is None:
            import pyarrow as pa

            columns = {"id": pa.array([], pa.string())}
            columns.update({offer_id: pa.array([], pa.bool_()) for offer_id in self.offer_ids})
            self(pa.table(columns))
        self.writer.close()
