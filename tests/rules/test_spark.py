"""The Spark SQL text on a real local Spark (opt-in: needs ``pip install pyspark`` and Java 17).

Spark is not a dependency of servesell (a warehouse runs it); this check runs wherever
pyspark is installed and is skipped elsewhere. Spark 4.3 with ANSI mode agreed on 200
random rules when it was last run by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given

from servesell.domain import Customer
from servesell.rules import compile_rule
from servesell.rules.batch import eligibility_sql
from support.rule_strategies import agreement_settings, customer_lists, rules
from support.rules import TODAY, rules_schema

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (opt-in check)")
SCHEMA = rules_schema()


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield session
    session.stop()


def _frame_schema() -> Any:
    from pyspark.sql import types as t

    kinds = {
        "int": t.LongType(),
        "float": t.DoubleType(),
        "str": t.StringType(),
        "bool": t.BooleanType(),
        "date": t.DateType(),
    }
    fields = [t.StructField("id", t.StringType())]
    fields += [t.StructField(f.name, kinds[f.type.value]) for f in SCHEMA.fields]
    fields.append(t.StructField("holdings", t.ArrayType(t.StringType())))
    return t.StructType(fields)


@pytest.mark.slow
@agreement_settings(60)
@given(text=rules, people=customer_lists())
def test_python_and_spark_agree_on_every_row(spark: Any, text: str, people: list[Customer]) -> None:
    rule = compile_rule(text, SCHEMA)
    rows = [
        [p.id, *(p.attributes.get(n) for n in SCHEMA.names), sorted(p.holdings)] for p in people
    ]
    spark.createDataFrame(rows, _frame_schema()).createOrReplaceTempView("customers")
    query = eligibility_sql({"r": rule}, today=TODAY, dialect="spark", three_valued=True)
    answers = {row["id"]: row["r"] for row in spark.sql(query).collect()}
    assert answers == {p.id: rule(p, TODAY) for p in people}, rule.sql("spark", today=TODAY)
