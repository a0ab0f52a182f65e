"""Tag a parquet file or folder in the batch layout with DuckDB, without Python per row.

The eligibility query reads the files where they are (``read_parquet``, folders of
``export`` partitions included) and ``COPY`` writes the matrix straight to parquet, both
in parallel on every core. Without an output file the matrix comes back as Arrow batches
for the store's tags table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from servesell.errors import InputFileError
from servesell.rules.batch import SOURCE, eligibility_sql
from servesell.rules.layout import ID, layout_problems
from servesell.rules.sql import HOLDINGS

if TYPE_CHECKING:
    import datetime as dt

    import duckdb
    import pyarrow as pa

    from servesell.domain.schema import ProfileSchema
    from servesell.rules.compiled import CompiledRule


def is_batch_layout(path: Path) -> bool:
    """Whether ``path`` is parquet in the batch layout (a folder, or ``holdings`` as a list)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.is_dir():
        return True
    if path.suffix.lower() not in (".parquet", ".pq"):
        return False
    found = pq.read_schema(path)
    index = found.get_field_index(HOLDINGS)
    return index >= 0 and bool(pa.types.is_list(found.field(index).type))


def open_customers(path: Path, schema: ProfileSchema) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the view ``customers`` over ``path``, its layout checked."""
    import duckdb
    import pyarrow.dataset as ds

    if not path.exists():
        raise InputFileError(f"{path}: no such file or folder")
    dataset = ds.dataset(path, format="parquet", partitioning="hive")
    problems = layout_problems(dataset.schema, schema)
    if problems:
        raise InputFileError(f"{path}: not in the batch layout: {'; '.join(problems)}")
    files = [str(p) for p in sorted(path.rglob("*.parquet"))] if path.is_dir() else [str(path)]
    if not files:
        raise InputFileError(f"{path}: no parquet files in this folder")
    columns = ", ".join(f'"{name}"' for name in (ID, *schema.names, HOLDINGS))
    con = duckdb.connect()
    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    con.execute(f'CREATE VIEW "{SOURCE}" AS SELECT {columns} FROM read_parquet([{listed}])')
    return con


def copy_matrix(
    con: duckdb.DuckDBPyConnection,
    rules: Mapping[str, CompiledRule],
    *,
    today: dt.date,
    out: Path,
) -> tuple[int, dict[str, int]]:
    """Write the matrix of the ``customers`` view to the parquet file ``out``; return counts."""
    query = eligibility_sql(rules, today=today)
    target = str(out).replace("'", "''")
    con.execute(f"COPY ({query}) TO '{target}' (FORMAT parquet)")
    sums = ", ".join(f'count(*) FILTER (WHERE "{o}")' for o in rules)
    row = con.execute(f"SELECT count(*){', ' if sums else ''}{sums} FROM read_parquet('{target}')")
    counts = row.fetchone() or (0,)
    return int(counts[0]), {o: int(n) for o, n in zip(rules, counts[1:], strict=True)}


def stream_matrix(
    con: duckdb.DuckDBPyConnection,
    rules: Mapping[str, CompiledRule],
    *,
    today: dt.date,
    batch_size: int = 50_000,
) -> Iterator[pa.Table]:
    """The matrix of the ``customers`` view as Arrow tables of about ``batch_size`` rows."""
    import pyarrow as pa

    reader = con.sql(eligibility_sql(rules, today=today)).to_arrow_reader(batch_size)
    for batch in reader:
        yield pa.Table.from_batches([batch])
