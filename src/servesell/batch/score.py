"""Score a whole customer table with a stored batch model, here or on Spark.

The table is in the batch layout (``servesell export customers``); each Arrow batch is
turned into the text table the model was trained on (:func:`servesell.learn.modelfile.
score_arrow`, the same cells a live call uses) and scored. ``local`` streams the batches
through this process into one parquet file; ``spark`` ships the model to the executors
and scores each partition's Arrow batches there (``mapInArrow``), writing a parquet
folder. Both write ``id`` and ``score`` (probability of the model's positive class).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from servesell.learn.modelfile import score_arrow
from servesell.rules.layout import ID

if TYPE_CHECKING:
    from pathlib import Path

    import pyarrow as pa

    from servesell.domain.schema import ProfileSchema
    from servesell.learn.batch import BatchModel

SCORE = "score"
ENGINES = ("local", "spark")


def score_batches(model: BatchModel, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """``id`` and ``score`` for every row of each batch-layout batch."""
    import pyarrow as pa

    for batch in batches:
        table = pa.Table.from_batches([batch])
        scores = pa.array(score_arrow(model, table), pa.float64())
        yield pa.RecordBatch.from_arrays([batch.column(ID), scores], names=[ID, SCORE])


def score_locally(model: BatchModel, customers: Path, schema: ProfileSchema, out: Path) -> int:
    """Score the parquet file or folder ``customers`` into the parquet file ``out``; rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from servesell.batch.duck import open_customers

    written = 0
    target = pa.schema([pa.field(ID, pa.string()), pa.field(SCORE, pa.float64())])
    with open_customers(customers, schema) as con, pq.ParquetWriter(out, target) as writer:
        reader = con.sql('SELECT * FROM "customers"').to_arrow_reader(50_000)
        for batch in score_batches(model, iter(reader)):
            writer.write_batch(batch)
            written += batch.num_rows
    return written


def score_on_spark(spark: Any, model: BatchModel, customers: Any, out: Path) -> int:
    """Score a batch-layout DataFrame on the executors into the parquet folder ``out``; rows."""

    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return score_batches(model, batches)

    scored = customers.mapInArrow(score, f"{ID} string, {SCORE} double")
    scored.write.mode("overwrite").parquet(str(out))
    return int(spark.read.parquet(str(out)).count())
