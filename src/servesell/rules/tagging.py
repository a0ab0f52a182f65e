"""A tagging run: the eligibility matrix of a catalog over a stream of customer batches.

The run owns no storage: customer batches come in, each batch's matrix goes to the given
sinks (the store's tags table, a parquet file, ...), and the run keeps the per-offer counts
for the summary. ``engine`` picks DuckDB (vectorised SQL) or the Python closures; both
give the same matrix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from servesell.rules.batch import count_eligible, tag_in_python, tag_table
from servesell.rules.layout import customers_to_arrow

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from servesell.domain.customer import Customer
    from servesell.domain.schema import ProfileSchema
    from servesell.rules.compiled import CompiledRule

Engine = Literal["duckdb", "python"]
ENGINES: tuple[Engine, ...] = ("duckdb", "python")
Sink = Callable[["pa.Table"], None]
"""Receives the eligibility matrix of one batch (``id`` + one boolean column per offer)."""


@dataclass
class TagRun:
    """What a run did: as-of date, customers tagged, eligible customers per offer."""

    as_of: dt.date
    customers: int = 0
    eligible: dict[str, int] = field(default_factory=dict)

    def add(self, matrix: pa.Table) -> None:
        """Count one batch's matrix (its rows, and its eligible customers per offer)."""
        for offer_id, count in count_eligible(matrix).items():
            self.eligible[offer_id] = self.eligible.get(offer_id, 0) + count
        self.customers += matrix.num_rows


def run_tagging(
    batches: Iterable[Sequence[Customer]],
    rules: Mapping[str, CompiledRule],
    schema: ProfileSchema,
    *,
    as_of: dt.date,
    engine: Engine = "duckdb",
    sinks: Sequence[Sink] = (),
    progress: Callable[[int], None] | None = None,
) -> TagRun:
    """Tag every customer of ``batches`` for every rule, feeding each matrix to ``sinks``."""
    run = TagRun(as_of, eligible=dict.fromkeys(rules, 0))
    with _connection(engine) as con:
        for batch in batches:
            if engine == "duckdb":
                table = customers_to_arrow(batch, schema)
                matrix = tag_table(table, rules, today=as_of, con=con)
            else:
                matrix = tag_in_python(batch, rules, today=as_of)
            for sink in sinks:
                sink(matrix)
            run.add(matrix)
            if progress is not None:
                progress(len(batch))
    return run


@contextmanager
def _connection(engine: Engine) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A DuckDB connection for the run (none for the Python engine)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")
    if engine == "python":
        yield None
        return
    import duckdb

    con = duckdb.connect()
    try:
        yield con
    finally:
        con.close()
