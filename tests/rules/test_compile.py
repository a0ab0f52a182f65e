from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from servesell.domain import ProfileSchema
from servesell.rules import compile_rule
from support.rules import TODAY, customer

BANK = Path(__file__).parents[2] / "src" / "servesell" / "synth" / "data"


def run(rule: str, schema: ProfileSchema, **attributes: object) -> bool | None:
    holdings = attributes.pop("holdings", frozenset())
    assert isinstance(holdings, frozenset)
    return compile_rule(rule, schema)(customer(holdings, **attributes), TODAY)


def test_every_rule_of_the_demo_catalog_compiles() -> None:
    schema = ProfileSchema.from_mapping(
        yaml.safe_load((BANK / "bank_schema.yaml").read_text())["fields"]
    )
    catalog = yaml.safe_load((BANK / "bank_catalog.yaml").read_text())
    offers = catalog["offers"] if isinstance(catalog, dict) else catalog
    for offer in offers:
        compile_rule(offer["rule"], schema, offer_id=offer["id"])


def test_the_issue_example_decides_a_card_instalment(schema: ProfileSchema) -> None:
    full = ProfileSchema.from_mapping(
        {
            "account_age_days": "int",
            "credit_limit": "float",
            "overdue_count_12m": "int",
            "repayment_mode": "str",
        }
    )
    rule = compile_rule(
        "account_age_days >= 180 AND credit_limit >= 5000 AND overdue_count_12m = 0 "
        "AND repayment_mode = 'full' AND NOT holds('bill_instalment')",
        full,
    )
    good = {
        "account_age_days": 200,
        "credit_limit": 5000.0,
        "overdue_count_12m": 0,
        "repayment_mode": "full",
    }
    assert rule(customer(**good), TODAY) is True
    assert rule(customer(frozenset({"bill_instalment"}), **good), TODAY) is False
    assert rule(customer(**{**good, "account_age_days": 179}), TODAY) is False
    assert rule(customer(**{**good, "credit_limit": None}), TODAY) is None
    assert rule.fields == {"account_age_days", "credit_limit", "overdue_count_12m"} | {
        "repayment_mode"
    }
    assert rule.products == {"bill_instalment"}


@pytest.mark.parametrize(
    ("left", "right", "and_", "or_"),
    [
        (True, True, True, True),
        (True, False, False, True),
        (True, None, None, True),
        (False, None, False, None),
        (None, None, None, None),
        (False, False, False, False),
    ],
)
def test_and_or_follow_three_valued_logic(
    schema: ProfileSchema,
    left: bool | None,
    right: bool | None,
    and_: bool | None,
    or_: bool | None,
) -> None:
    values = {"is_student": left, "overdue_count_12m": None if right is None else int(right)}
    assert run("is_student AND overdue_count_12m = 1", schema, **values) is and_
    assert run("overdue_count_12m = 1 AND is_student", schema, **values) is and_
    assert run("is_student OR overdue_count_12m = 1", schema, **values) is or_
    assert run("is_student OR overdue_count_12m = 1 OR age IS NOT NULL", schema, **values) is or_
    assert run("is_student AND overdue_count_12m = 1 AND age IS NULL", schema, **values) is and_


def test_not_of_unknown_is_unknown(schema: ProfileSchema) -> None:
    assert run("NOT is_student", schema, is_student=None) is None
    assert run("NOT is_student", schema, is_student=False) is True


def test_a_missing_value_makes_a_comparison_unknown(schema: ProfileSchema) -> None:
    assert run("age >= 18", schema) is None
    assert run("18 <= age", schema, age=18) is True
    assert run("age IS NULL", schema) is True
    assert run("age IS NOT NULL", schema, age=3) is True


def test_in_list_with_null_is_unknown_unless_it_matches(schema: ProfileSchema) -> None:
    assert run("segment IN ('mass', NULL)", schema, segment="mass") is True
    assert run("segment IN ('mass', NULL)", schema, segment="private") is None
    assert run("segment NOT IN ('mass', NULL)", schema, segment="private") is None
    assert run("segment NOT IN ('mass')", schema, segment="private") is True
    assert run("segment IN ('mass')", schema) is None


def test_in_list_of_expressions(schema: ProfileSchema) -> None:
    assert run("age IN (overdue_count_12m, 40)", schema, age=40) is True
    assert run("age IN (overdue_count_12m, 41)", schema, age=40) is None
    assert run("age IN (overdue_count_12m + 1, 41)", schema, age=3, overdue_count_12m=2) is True


def test_between_is_inclusive_and_mixes_int_and_float(schema: ProfileSchema) -> None:
    assert run("age BETWEEN 25 AND 50", schema, age=25) is True
    assert run("age BETWEEN 25 AND 50", schema, age=50) is True
    assert run("age NOT BETWEEN 25 AND 50", schema, age=51) is True
    assert run("age BETWEEN 24.5 AND 25", schema, age=25) is True


def test_division_is_float_division_and_null_for_zero(schema: ProfileSchema) -> None:
    assert run("age / 2 = 2.5", schema, age=5) is True
    assert run("balance / credit_limit > 0.5", schema, balance=10.0, credit_limit=0.0) is None
    assert run("(balance / credit_limit) IS NULL", schema, balance=1.0, credit_limit=0.0) is True


def test_modulo_takes_the_sign_of_the_dividend_like_sql(schema: ProfileSchema) -> None:
    assert run("age % 3 = -1", schema, age=-7) is True
    assert run("age % 0 IS NULL", schema, age=7) is True


def test_integer_arithmetic_stays_exact(schema: ProfileSchema) -> None:
    assert run("age * 1000000007 - 1 = 29000000202", schema, age=29) is True
    assert run("-age + abs(age) = 0", schema, age=-4) is False


def test_dates_use_the_given_as_of_date(schema: ProfileSchema) -> None:
    opened = dt.date(2026, 3, 1)
    assert run("days_since(opened_on) = 30", schema, opened_on=opened) is True
    assert run("opened_on = CURRENT_DATE - 30", schema, opened_on=opened) is True
    assert run("opened_on = CURRENT_DATE - INTERVAL '30' DAY", schema, opened_on=opened) is True
    assert run("opened_on + 30 = CURRENT_DATE", schema, opened_on=opened) is True
    assert run("CURRENT_DATE - opened_on = 30", schema, opened_on=opened) is True
    assert run("days_since(opened_on) > 1", schema) is None


def test_month_arithmetic_clamps_to_the_end_of_the_month(schema: ProfileSchema) -> None:
    assert run(
        "opened_on + INTERVAL 1 MONTH = DATE '2024-02-29'", schema, opened_on=dt.date(2024, 1, 31)
    )
    assert run(
        "opened_on - INTERVAL '1' YEAR = '2023-02-28'", schema, opened_on=dt.date(2024, 2, 29)
    )
    assert run("CURRENT_DATE - INTERVAL 2 WEEK = '2026-03-17'", schema) is True


def test_dates_compare_with_iso_text_literals(schema: ProfileSchema) -> None:
    assert run("opened_on >= '2024-01-01'", schema, opened_on=dt.date(2024, 1, 1)) is True
    assert run(
        "opened_on IN ('2024-01-01', DATE('2024-01-02'))", schema, opened_on=dt.date(2024, 1, 2)
    )


def test_text_compares_by_code_point(schema: ProfileSchema) -> None:
    assert run("segment < 'a'", schema, segment="B") is True
    assert run("segment > 'z'", schema, segment="é") is True
    assert run("segment = ''", schema, segment="") is True


def test_like_matches_whole_strings_with_escapes(schema: ProfileSchema) -> None:
    assert run("segment LIKE 'aff%'", schema, segment="affluent") is True
    assert run("segment LIKE '_ff%t'", schema, segment="affluent") is True
    assert run("segment LIKE 'Aff%'", schema, segment="affluent") is False
    assert run(r"segment LIKE '50\%'", schema, segment="50%") is True
    assert run(r"segment LIKE '50\%'", schema, segment="500") is False
    assert run("segment LIKE '50!%' ESCAPE '!'", schema, segment="50%") is True
    assert run("segment NOT LIKE '%私%'", schema, segment="私人银行") is False
    assert run("segment LIKE '__'", schema, segment="私人") is True


def test_case_picks_the_first_true_branch(schema: ProfileSchema) -> None:
    rule = "CASE WHEN age < 30 THEN 1000 WHEN age < 60 THEN 5000 END <= credit_limit"
    assert run(rule, schema, age=20, credit_limit=1000.0) is True
    assert run(rule, schema, age=40, credit_limit=1000.0) is False
    assert run(rule, schema, age=70, credit_limit=1000.0) is None
    assert run(rule, schema, credit_limit=1000.0) is None
    simple = "CASE segment WHEN 'mass' THEN 1 ELSE 2.5 END > 2"
    assert run(simple, schema, segment="mass") is False
    assert run(simple, schema) is True


def test_coalesce_takes_the_first_known_value(schema: ProfileSchema) -> None:
    assert run("COALESCE(balance, credit_limit, 0) > 1", schema, credit_limit=2.0) is True
    assert run("COALESCE(balance, 0) = 0", schema) is True


def test_is_true_and_is_false_are_never_unknown(schema: ProfileSchema) -> None:
    assert run("is_student IS TRUE", schema) is False
    assert run("is_student IS NOT TRUE", schema) is True
    assert run("is_student IS FALSE", schema, is_student=False) is True


def test_constant_rules(schema: ProfileSchema) -> None:
    assert run("TRUE", schema) is True
    assert run("NULL", schema) is None
    assert compile_rule("TRUE", schema).fields == frozenset()


def test_keywords_and_field_names_are_case_insensitive(schema: ProfileSchema) -> None:
    assert run('AGE >= 18 and "age" < 99', schema, age=30) is True


def test_compiled_rule_keeps_its_text_and_offer(schema: ProfileSchema) -> None:
    rule = compile_rule("age > 1", schema, offer_id="gold")
    assert rule.text == "age > 1"
    assert rule.offer_id == "gold"
    assert "gold" in repr(rule)
    assert rule.evaluate({"age": 2}, frozenset(), TODAY) is True


def test_a_value_of_the_wrong_type_is_reported_not_guessed(schema: ProfileSchema) -> None:
    rule = compile_rule("age > 1", schema)
    with pytest.raises(TypeError):
        rule(customer(age="seven"), TODAY)
