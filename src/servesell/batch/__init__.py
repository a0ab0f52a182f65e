"""Batch work where the data already is: Spark, PostgreSQL pushdown, parquet exports.

The online side decides one call at a time; this package runs the same rules, model and
KPI definitions over whole tables: eligibility tagging on Spark (:mod:`.spark`), exports
of the decision log and the customers as parquet partitioned by day (:mod:`.export`),
batch scoring with a stored model (:mod:`.score`) and the KPIs over an exported log
(:mod:`.kpis`). PySpark is optional and imported only inside the functions that use it.
"""

from servesell.batch.spark import missing_requirement, spark_session

__all__ = ["missing_requirement", "spark_session"]
