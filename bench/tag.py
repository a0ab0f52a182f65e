"""Batch tagging throughput per engine: N customers x 50 rules, matrix written where it runs.

Prints one JSON line ``{"engine", "rows", "rules", "seconds", "rows_per_s", ...}``. The
customers and the 50-rule catalog are those of ``bench/rules.py`` (DuckDB-generated bank
profiles, ten rule templates at five thresholds). Each engine does the whole job a
``servesell tag`` run does, timed from reading the customers to the eligible counts:

* ``duckdb``: parquet in the batch layout -> DuckDB -> matrix parquet file (``COPY``);
* ``spark``: the same parquet -> Spark on ``--master`` -> matrix parquet folder (the
  session's start is reported apart, as ``startup_s``);
* ``postgres``: profiles as JSON in servesell's own ``customers`` table -> typed
  extraction and the rules inside PostgreSQL -> matrix as a table in the database (an
  unlogged ``CREATE TABLE AS``; loading the customers is reported as ``load_s``).
  ``--db`` names a database; otherwise a private server is started for the run.

Usage: ``python bench/tag.py --engine duckdb|postgres|spark --rows N``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from rules import GENERATE, PRODUCTS, SCHEMA, TODAY, catalog, log
from servesell.store import open_db, save_schema
from servesell.store.pushdown import matrix_sql


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("duckdb", "postgres", "spark"), required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--master", default="local[*]", help="Spark master")
    parser.add_argument("--db", default=None, help="PostgreSQL URL (default: a private server)")
    parser.add_argument("--tmp", default=None, help="folder for the generated files")
    args = parser.parse_args()
    rules = catalog()
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        folder = Path(tmp)
        customers = generate(folder / "customers.parquet", args.rows)
        runner = {"duckdb": run_duckdb, "spark": run_spark, "postgres": run_postgres}
        figures = runner[args.engine](args, customers, folder, rules)
    seconds = figures.pop("seconds")
    result = {
        "engine": args.engine,
        "rows": args.rows,
        "rules": len(rules),
        "seconds": round(seconds, 2),
        "rows_per_s": round(args.rows / seconds),
        **figures,
    }
    print(json.dumps(result))


def generate(path: Path, rows: int) -> Path:
    """``rows`` synthetic customers in the batch layout, as one parquet file."""
    log(f"generating {rows:,} customers ...")
    products = "[" + ", ".join(f"'{p}'" for p in PRODUCTS) + "]"
    con = duckdb.connect()
    con.execute("SELECT setseed(0.42)")
    query = GENERATE.format(products=products, rows=rows)
    con.execute(f"COPY ({query}) TO '{path}' (FORMAT parquet)")
    con.close()
    return path


def run_duckdb(args, customers: Path, folder: Path, rules) -> dict:
    from servesell.batch.duck import copy_matrix, open_customers

    log("tagging with DuckDB ...")
    start = time.perf_counter()
    with open_customers(customers, SCHEMA) as con:
        total, counts = copy_matrix(con, rules, today=TODAY, out=folder / "matrix.parquet")
    seconds = time.perf_counter() - start
    assert total == args.rows
    return {"seconds": seconds, "eligible_pairs": sum(counts.values())}


def run_spark(args, customers: Path, folder: Path, rules) -> dict:
    from servesell.batch.spark import read_customers, spark_session, tag_frame, write_matrix

    log(f"starting Spark ({args.master}) ...")
    start = time.perf_counter()
    with spark_session(args.master) as spark:
        startup = time.perf_counter() - start
        log("tagging with Spark ...")
        start = time.perf_counter()
        frame = read_customers(spark, customers, SCHEMA)
        matrix = tag_frame(spark, frame, rules, today=TODAY)
        total, counts = write_matrix(spark, matrix, folder / "matrix")
        seconds = time.perf_counter() - start
    assert total == args.rows
    return {
        "seconds": seconds,
        "startup_s": round(startup, 1),
        "master": args.master,
        "eligible_pairs": sum(counts.values()),
    }


def run_postgres(args, customers: Path, folder: Path, rules) -> dict:
    from support.postgres import fresh_database, running_server

    with ExitStack() as stack:
        url = args.db or fresh_database(stack.enter_context(running_server()))
        engine = open_db(url)
        with engine.begin() as conn:
            save_schema(conn, SCHEMA)
        start = time.perf_counter()
        load_postgres(engine, customers, folder)
        load = time.perf_counter() - start
        with engine.connect() as conn:
            size = conn.exec_driver_sql("SELECT pg_total_relation_size('customers')").scalar()
        log("tagging inside PostgreSQL ...")
        query = matrix_sql(rules, SCHEMA, today=TODAY).replace("%", "%%")
        sums = ", ".join(f'count(*) FILTER (WHERE "{o}")' for o in rules)
        start = time.perf_counter()
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS bench_matrix")
            conn.exec_driver_sql(f"CREATE UNLOGGED TABLE bench_matrix AS {query}", ())
            row = conn.exec_driver_sql(f"SELECT count(*), {sums} FROM bench_matrix").one()
            seconds = time.perf_counter() - start
            conn.exec_driver_sql("DROP TABLE bench_matrix")
        engine.dispose()
    assert row[0] == args.rows
    return {
        "seconds": seconds,
        "load_s": round(load, 1),
        "customers_table_mb": round(size / 2**20),
        "eligible_pairs": sum(row[1:]),
    }


def load_postgres(engine, customers: Path, folder: Path) -> None:
    """Customers into servesell's table as JSON profiles, with COPY (as an ETL job would)."""
    log("loading customers into PostgreSQL as JSON profiles ...")
    fields = ", ".join(f"{name} := {name}" for name in SCHEMA.names)
    csv = folder / "customers.csv"
    duckdb.sql(
        f"COPY (SELECT id, to_json(struct_pack({fields})) AS attributes, "
        "to_json(holdings) AS holdings, false, false, false, false, now()::TIMESTAMP "
        f"FROM read_parquet('{customers}')) TO '{csv}' (FORMAT csv, HEADER false)"
    )
    columns = "id, attributes, holdings, do_not_market, blacklisted, vip, open_complaint"
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            copy_sql = f"COPY customers ({columns}, updated_at) FROM STDIN WITH (FORMAT csv)"
            with cursor.copy(copy_sql) as copy, csv.open("rb") as handle:
                while block := handle.read(1 << 20):
                    copy.write(block)
            cursor.execute("ANALYZE customers")
        raw.commit()
    finally:
        raw.close()
    csv.unlink()


if __name__ == "__main__":
    main()
