from __future__ import annotations

import pyarrow as pa

from servesell.batch.spark import batch_layout, tag_frame
from servesell.domain import Customer
from servesell.rules import compile_rule
from servesell.rules.batch import tag_in_python
from servesell.rules.layout import customers_to_arrow
from support.rules import TODAY, rules_schema

SCHEMA = rules_schema()


def test_smoke(spark) -> None:
    people = [Customer("a", {"age": 30, "segment": "B"}, frozenset({"card"})), Customer("b", {})]
    rules = {"adult": compile_rule("age >= 18 AND holds('card')", SCHEMA)}
    frame = batch_layout(spark.createDataFrame(customers_to_arrow(people, SCHEMA)), SCHEMA, where="t")
    got = tag_frame(spark, frame, rules, today=TODAY).toArrow()
    assert isinstance(got, pa.Table)
    assert got.sort_by("id").to_pylist() == tag_in_python(people, rules, today=TODAY).to_pylist()
