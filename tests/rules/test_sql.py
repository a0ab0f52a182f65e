"""The SQL text: explicit conversions, one shape per dialect, and valid for each engine."""

from __future__ import annotations

import pytest
import sqlglot

from servesell.domain import ProfileSchema
from servesell.rules import DIALECTS, compile_rule
from servesell.rules.sql import to_sql
from support.rules import TODAY

GOLDEN = {
    "duckdb": (
        "((\"credit_limit\" >= CAST('5000.0' AS DOUBLE)) AND "
        "(NOT COALESCE(LIST_CONTAINS(\"holdings\", 'bill_instalment'), FALSE)))"
    ),
    "postgres": (
        "((\"credit_limit\" >= CAST('5000.0' AS DOUBLE PRECISION)) AND "
        "(NOT COALESCE(('bill_instalment' = ANY(\"holdings\")), FALSE)))"
    ),
    "spark": (
        "((`credit_limit` >= CAST('5000.0' AS DOUBLE)) AND "
        "(NOT COALESCE(ARRAY_CONTAINS(`holdings`, 'bill_instalment'), FALSE)))"
    ),
}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_issue_rule_renders_for_each_engine(schema: ProfileSchema, dialect: str) -> None:
    rule = compile_rule("credit_limit >= 5000 AND NOT holds('bill_instalment')", schema)
    assert rule.sql(dialect, today=TODAY) == GOLDEN[dialect]  # type: ignore[arg-type]


RULES = [
    "balance / credit_limit > 0.5",
    "age % 7 = 1",
    "segment < 'b' AND segment LIKE 'a\\%%'",
    "days_since(opened_on) BETWEEN 30 AND 90",
    "opened_on + INTERVAL 1 MONTH < CURRENT_DATE - 7",
    "CASE segment WHEN 'x' THEN 1 ELSE 2.5 END > age",
    "COALESCE(is_student, FALSE) IS TRUE",
    "age IN (1, 2, NULL) OR NOT holds('card')",
    "segment = 'it''s; DROP TABLE customers; --'",
]


@pytest.mark.parametrize("text", RULES)
@pytest.mark.parametrize("dialect", DIALECTS)
def test_rendered_sql_is_one_expression_in_its_dialect(
    schema: ProfileSchema, text: str, dialect: str
) -> None:
    sql = compile_rule(text, schema).sql(dialect, today=TODAY)  # type: ignore[arg-type]
    parsed = sqlglot.parse(sql, read=dialect)
    assert len(parsed) == 1


def test_dialect_specific_semantics_are_spelled_out(schema: ProfileSchema) -> None:
    def sql(text: str, dialect: str) -> str:
        return compile_rule(text, schema).sql(dialect, today=TODAY)  # type: ignore[arg-type]

    assert 'COLLATE "C"' in sql("segment < 'b'", "postgres")
    assert "COLLATE" not in sql("segment = 'b'", "postgres")
    assert "NULLIF" in sql("age / age > 1", "duckdb")
    assert "ESCAPE" in sql("segment LIKE 'a%'", "spark")
    assert "CAST('2026-03-31' AS DATE)" in sql("opened_on < CURRENT_DATE", "duckdb")
    assert "DATEDIFF" in sql("days_since(opened_on) > 1", "spark")
    assert "ADD_MONTHS" in sql("opened_on + INTERVAL 2 MONTH > CURRENT_DATE", "spark")


def test_unknown_dialect_is_refused(schema: ProfileSchema) -> None:
    with pytest.raises(ValueError, match="unknown SQL dialect"):
        to_sql(compile_rule("age > 1", schema).tree, "oracle", today=TODAY)  # type: ignore[arg-type]
