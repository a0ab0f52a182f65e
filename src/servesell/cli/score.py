"""``servesell model score``: a stored batch model over a whole customer table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from servesell.cli.app import console, err_console
from servesell.cli.model import model_app
from servesell.cli.options import DbOption, open_database
from servesell.errors import InputFileError

ENGINES = ("local", "spark")


@model_app.command("score")
def score(
    model: Annotated[Path, typer.Option("--model", help="Model file from `model train`.")],
    customers: Annotated[
        Path, typer.Option("--customers", help="Parquet in the batch layout (export customers).")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Parquet file (local) or folder (spark): id, score.")
    ],
    engine: Annotated[str, typer.Option(help="local or spark.")] = "local",
    master: Annotated[str, typer.Option("--master", help="Spark master.")] = "local[*]",
    db: DbOption = None,
) -> None:
    """Score every customer of a table with a stored model (the profile schema from --db)."""
    from servesell.batch.score import score_locally, score_on_spark
    from servesell.ingest.modelfile import load_batch_model
    from servesell.store import require_schema

    if engine not in ENGINES:
        raise InputFileError(f"unknown engine {engine!r}; use {' or '.join(ENGINES)}")
    fitted = load_batch_model(model)
    database = open_database(db)
    try:
        with database.connect() as conn:
            schema = require_schema(conn)
    finally:
        database.dispose()
    with err_console.status(f"scoring ({engine})"):
        if engine == "local":
            rows = score_locally(fitted, customers, schema, out)
        else:
            from servesell.batch.spark import read_customers, spark_session

            with spark_session(master) as spark:
                frame = read_customers(spark, customers, schema)
                rows = score_on_spark(spark, fitted, frame, out)
    console.print(f"scored {rows:,} customers into {escape(str(out))}", highlight=False)
