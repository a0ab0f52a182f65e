"""Rules that must be refused, each with a message a user can act on and a position."""

from __future__ import annotations

import pytest

from servesell.domain import ProfileSchema
from servesell.errors import RuleError
from servesell.rules import compile_rule

CASES = [
    ("credit_limt >= 5000", "did you mean 'credit_limit'", 0),
    ("age >= 18 AND segmnt = 'x'", "did you mean 'segment'", 14),
    ("vip", "customer flag", 0),
    ("today > opened_on", "CURRENT_DATE", 0),
    ("t.age > 1", "field name alone", 0),
    ("age >= 'x'", "cannot compare age (int) with 'x' (str)", 7),
    ("is_student = 1", "cannot compare", 13),
    ("segment + 1 > 2", "+ needs numbers", 0),
    ("credit_limit % 2 = 0", "whole numbers", 0),
    ("age", "expected a condition", 0),
    ("age + 1", "expected a condition", 0),
    ("NOT age", "expected a condition", 4),
    ("age = NULL", "IS NULL", 0),
    ("opened_on > '2024-02-30'", "not a valid date", 12),
    ("opened_on > '31/01/2024'", "YYYY-MM-DD", 12),
    ("age > 1; DROP TABLE customers", "';' is not allowed", 7),
    ("1=1; DROP TABLE customers", "';' is not allowed", 3),
    ("age > 1 -- all customers", "comments are not allowed", 8),
    ("age > 1 /* x */ OR TRUE", "comments are not allowed", 8),
    ("age > (SELECT 1)", "subqueries", 14),
    ("age IN (SELECT age FROM customers)", "not a subquery", 0),
    ("EXISTS (SELECT 1)", "subqueries", 15),
    ("lower(segment) = 'x'", "unknown function lower()", 0),
    ("hold('x')", "did you mean holds()", 0),
    ("now() > opened_on", "CURRENT_DATE", 0),
    ("holds(segment)", "quoted product code", 6),
    ("holds('a', 'b')", "exactly one argument", 0),
    ("days_since(age) > 1", "needs a date", 11),
    ("CAST(age AS DOUBLE) > 1", "CAST is only allowed", 5),
    ("segment ILIKE 'a%'", "not allowed in a rule", 0),
    ("segment LIKE segment", "quoted pattern", 13),
    ("age LIKE '1%'", "LIKE needs text", 0),
    (r"segment LIKE 'a\'", "ends with the escape character", 13),
    (r"segment LIKE 'a\'' OR TRUE", "cannot read the rule", 13),
    ("segment LIKE 'a' ESCAPE 'ab'", "one quoted character", 24),
    ("age > ", "missing its right-hand side", 4),
    ("age >= 18 AND", "missing its right-hand side", 10),
    ("age 18", "unexpected text", 4),
    ("(age > 1", "Expecting )", 7),
    ("segment = 'open", "cannot read the rule", 10),
    ("", "empty", 0),
    ("   ", "empty", 0),
    ("age > ?", "parameters", 0),
    ("age > 99999999999999999999", "larger than", 6),
    ("age > 1e999", "too large", 6),
    ("opened_on + opened_on > 1", "cannot compute date + date", 0),
    ("opened_on * 2 > 1", "cannot compute", 0),
    ("opened_on > CURRENT_DATE - INTERVAL '1' HOUR", "DAY, WEEK, MONTH or YEAR", 36),
    ("opened_on > CURRENT_DATE - INTERVAL '1.5' DAY", "whole number", 36),
    ("INTERVAL '1' DAY > 1", "INTERVAL can only be added", 9),
    ("age >> 1 > 0", "not allowed in a rule", 0),
    ("segment || 'x' = 'y'", "not allowed in a rule", 0),
    ("CASE WHEN age > 1 THEN 'a' ELSE 2 END = 'a'", "CASE mixes str and int", 32),
    ("COALESCE(age, 'x') = 1", "COALESCE mixes int and str", 14),
    ("segment IN ('a', 2)", "IN mixes str and int", 17),
    ("abs(segment) > 1", "abs() needs a number", 0),
    ("-segment = 'a'", "minus needs a number", 1),
    ("segment = 'a\x00'", "NUL", 10),
]


@pytest.mark.parametrize(("rule", "message", "position"), CASES)
def test_invalid_rule_is_refused_with_its_position(
    schema: ProfileSchema, rule: str, message: str, position: int
) -> None:
    with pytest.raises(RuleError) as caught:
        compile_rule(rule, schema, offer_id="card_instalment")
    assert message in caught.value.message
    assert caught.value.position == position
    assert caught.value.offer_id == "card_instalment"
    assert caught.value.rule == rule


def test_a_very_long_rule_is_refused(schema: ProfileSchema) -> None:
    with pytest.raises(RuleError, match="longer than"):
        compile_rule(" OR ".join(["age > 1"] * 2000), schema)


def test_a_deeply_nested_rule_is_refused_cleanly(schema: ProfileSchema) -> None:
    with pytest.raises(RuleError, match="nested too deeply"):
        compile_rule("(" * 3000 + "age > 1" + ")" * 3000, schema)


def test_the_error_message_shows_a_caret_under_the_problem(schema: ProfileSchema) -> None:
    with pytest.raises(RuleError) as caught:
        compile_rule("age >= 18 AND segmnt = 'x'", schema, offer_id="gold")
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("offer 'gold', position 14: unknown field 'segmnt'")
    assert lines[2] == "    " + " " * 14 + "^"
