"""The KPIs of an exported decision log, computed on Spark with the store's own definitions.

Nothing is written twice: the sums are the queries of :mod:`servesell.store.reporting`
(rendered for PostgreSQL with their values inlined, then transpiled to Spark SQL by
sqlglot) run over the parquet tables of ``servesell export decisions`` and ``export
outcomes``, and the ratios are :func:`servesell.report.kpis.kpis`. The figures therefore
match ``servesell kpis`` on the database the log came from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from servesell.errors import InputFileError
from servesell.report.kpis import kpis
from servesell.store.reporting import tallies_with

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping
    from pathlib import Path

    from sqlalchemy import Select

    from servesell.domain.offer import Offer
    from servesell.report.kpis import Kpis

LOG_TABLES = (
    "decisions",
    "decision_candidates",
    "outcomes",
    "outbox_messages",
    "calls",
    "agents",
    "handovers",
    "script_allocations",
)
"""The exported tables the KPIs read (``export decisions`` and ``export outcomes``)."""


def spark_kpis(
    spark: Any,
    log: Path,
    catalog: Mapping[str, Offer],
    *,
    tz: dt.tzinfo,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    group_by: str | None = None,
) -> dict[str, Kpis]:
    """KPIs per group of the decisions in [since, until) of the log exported under ``log``."""
    missing = [name for name in LOG_TABLES if not (log / name).is_dir()]
    if missing:
        raise InputFileError(
            f"{log}: no exported {', '.join(missing)}; run servesell export decisions "
            f"and servesell export outcomes --out {log}"
        )
    for name in LOG_TABLES:
        spark.read.parquet(str(log / name)).createOrReplaceTempView(name)

    def run(query: Select[Any]) -> list[Any]:
        return list(spark.sql(spark_sql(query)).collect())

    groups = tallies_with(
        run, "postgresql", catalog, since=since, until=until, group_by=group_by, tz=tz
    )
    return {group: kpis(t, group) for group, t in groups.items()}


def spark_sql(query: Select[Any]) -> str:
    """A store query as Spark SQL: rendered for PostgreSQL with literal values, transpiled."""
    import sqlglot
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    rendered = query.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    text: str = sqlglot.transpile(str(rendered), read="postgres", write="spark")[0]
    return text
