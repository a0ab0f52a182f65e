"""Spark for the batch side: one session, customers in the batch layout, the rules' Spark SQL.

PySpark is an optional dependency (``pip install 'servesell[spark]'``, which also needs
Java 17). :func:`spark_session` starts a session for ``--master`` (``local[*]`` uses every
core of this machine; ``spark://...`` or ``yarn`` a cluster) with the settings the rules'
SQL relies on: ANSI mode, UTC session time zone, Arrow transfers, and the Python
executable of this environment for Python workers. A session that was already running
(a notebook, the test suite) is reused and left running.

Customers come in the batch layout (:mod:`servesell.rules.layout`): parquet written by
``servesell export customers`` (or any tool) with one typed column per declared field and
``holdings`` as a list of text, or straight from servesell's PostgreSQL over JDBC through
the same typed extraction as the pushdown engine (:mod:`servesell.store.pushdown`).
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from servesell.domain.schema import FieldType
from servesell.errors import ConfigError, InputFileError
from servesell.rules.batch import eligibility_sql
from servesell.rules.layout import ID
from servesell.rules.sql import HOLDINGS

if TYPE_CHECKING:
    import datetime as dt

    from servesell.domain.schema import ProfileSchema
    from servesell.rules.compiled import CompiledRule

JDBC_JAR = Path("/usr/share/java/postgresql.jar")
"""PostgreSQL's JDBC driver as Debian installs it (``libpostgresql-jdbc-java``)."""
SPARK_TYPES = {
    FieldType.INT: "bigint",
    FieldType.FLOAT: "double",
    FieldType.STR: "string",
    FieldType.BOOL: "boolean",
    FieldType.DATE: "date",
}
_WIDENS = {"int": "bigint", "smallint": "bigint", "tinyint": "bigint", "float": "double"}
_BASE_CONFIG = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}


def missing_requirement() -> str | None:
    """Why Spark cannot start here (no pyspark, no Java), or ``None`` when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed: pip install 'servesell[spark]'"
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and Path(java_home, "bin/java").exists()):
        return "Spark needs Java 17: install Debian's openjdk-17-jre-headless (or set JAVA_HOME)"
    return None


@contextmanager
def spark_session(
    master: str = "local[*]", *, config: Mapping[str, str] | None = None
) -> Iterator[Any]:
    """A SparkSession on ``master``; stopped afterwards unless it was already running."""
    reason = missing_requirement()
    if reason is not None:
        raise ConfigError(reason)
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()
    if running is not None:
        yield running
        return
    # PySpark starts its Python workers with $PYSPARK_PYTHON (default: python3, which may
    # not have servesell installed); use this interpreter unless the user chose one.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName("servesell")
    settings = {
        **_BASE_CONFIG,
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
    }
    if master.startswith("local"):
        settings |= {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
    if JDBC_JAR.exists():
        settings["spark.jars"] = str(JDBC_JAR)
    for key, value in {**settings, **(config or {})}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def read_customers(spark: Any, path: Path, schema: ProfileSchema) -> Any:
    """Customers in the batch layout from a parquet file or folder, checked and typed."""
    if not path.exists():
        raise InputFileError(f"{path}: no such file or folder")
    frame = spark.read.parquet(str(path))
    return batch_layout(frame, schema, where=str(path))


def read_customers_jdbc(spark: Any, db_url: str, schema: ProfileSchema, *, partitions: int) -> Any:
    """The store's customers over JDBC, typed inside PostgreSQL, read in ``partitions`` slices."""
    from sqlalchemy.engine import make_url

    from servesell.store.pushdown import typed_customers_sql

    url = make_url(db_url)
    if url.get_backend_name() != "postgresql":
        raise ConfigError(f"Spark reads the store over JDBC from PostgreSQL only, not {db_url!r}")
    if not JDBC_JAR.exists():
        raise ConfigError(f"{JDBC_JAR} not found: install Debian's libpostgresql-jdbc-java")
    jdbc = f"jdbc:postgresql://{url.host or 'localhost'}:{url.port or 5432}/{url.database}"
    properties = {"user": url.username or "", "driver": "org.postgresql.Driver"}
    if url.password:
        properties["password"] = str(url.password)
    slices = [f"(hashtext(id) & 2147483647) % {partitions} = {i}" for i in range(partitions)]
    table = f"({typed_customers_sql(schema)}) AS customers"
    frame = spark.read.jdbc(jdbc, table, predicates=slices, properties=properties)
    return batch_layout(frame, schema, where="the store (JDBC)")


def batch_layout(frame: Any, schema: ProfileSchema, *, where: str) -> Any:
    """``frame`` reduced to ``id``, the declared fields and ``holdings``, each in its type.

    Narrower integer and float columns are widened; any other mismatch is refused with the
    column, its type and the type expected.
    """
    from pyspark.sql import functions as f

    found = dict(frame.dtypes)
    wanted = {ID: "string", **{s.name: SPARK_TYPES[s.type] for s in schema.fields}}
    wanted[HOLDINGS] = "array<string>"
    problems = []
    for name, kind in wanted.items():
        have = found.get(name)
        if have is None:
            problems.append(f"column {name!r} is missing")
        elif _WIDENS.get(have, have) != kind:
            problems.append(f"column {name!r} is {have}, expected {kind}")
    if problems:
        raise InputFileError(f"{where}: not in the batch layout: {'; '.join(problems)}")
    return frame.select(*(f.col(f"`{n}`").cast(k).alias(n) for n, k in wanted.items()))


def tag_frame(
    spark: Any,
    customers: Any,
    rules: Mapping[str, CompiledRule],
    *,
    today: dt.date,
    three_valued: bool = False,
) -> Any:
    """The eligibility matrix of a batch-layout DataFrame (lazy: nothing runs until written)."""
    view = f"servesell_customers_{uuid.uuid4().hex[:12]}"
    customers.createOrReplaceTempView(view)
    sql = eligibility_sql(
        rules, today=today, dialect="spark", source=view, three_valued=three_valued
    )
    return spark.sql(sql)


def write_matrix(spark: Any, matrix: Any, out: Path) -> tuple[int, dict[str, int]]:
    """Write the matrix as parquet to the folder ``out``; customers and eligible per offer."""
    from pyspark.sql import functions as f

    matrix.write.mode("overwrite").parquet(str(out))
    offers = [name for name in matrix.columns if name != ID]
    written = spark.read.parquet(str(out))
    sums = [f.count(f.lit(1)).alias(ID)]
    sums += [f.sum(f.col(f"`{o}`").cast("bigint")).alias(o) for o in offers]
    row = written.agg(*sums).collect()[0]
    return int(row[ID]), {o: int(row[o] or 0) for o in offers}
