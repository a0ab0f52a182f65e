"""A rule that validates runs on every engine; one nested too deeply is refused up front.

Every engine walks a rule recursively (the Python closures, sqlglot rendering SQL for
DuckDB, PostgreSQL and Spark), so the rule language has a nesting limit, checked at
validation. These tests run a rule at the limit of each nesting construct through the
Python and DuckDB tagging engines and the PostgreSQL and Spark SQL renderers, from a
caller 300 frames deep (a web server's stack), and refuse one level more.
"""

from __future__ import annotations

import pytest

from servesell.domain import Customer, ProfileSchema
from servesell.errors import RuleError
from servesell.rules import compile_rule
from servesell.rules.batch import eligibility_sql, tag_in_python, tag_table
from servesell.rules.layout import customers_to_arrow
from servesell.rules.syntax import MAX_DEPTH, depth_of, parse
from servesell.rules.tagging import run_tagging
from support.deep_rules import SHAPES, at_limit, in_deep_stack, over_limit
from support.rules import TODAY, customer

CALLER_FRAMES = 300
PEOPLE = [
    customer(age=3),
    Customer("c2", {"age": None}),
    Customer("c3", {"age": -4, "opened_on": TODAY}),
]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_rule_at_the_nesting_limit_runs_on_every_engine(
    schema: ProfileSchema, shape: str
) -> None:
    text = at_limit(shape)
    assert depth_of(parse(text)) in (MAX_DEPTH - 1, MAX_DEPTH)

    def everywhere() -> list[object]:
        rule = compile_rule(text, schema)
        rules = {"deep": rule}
        python = tag_in_python(PEOPLE, rules, today=TODAY)
        duck = tag_table(customers_to_arrow(PEOPLE, schema), rules, today=TODAY)
        for dialect in ("postgres", "spark"):
            eligibility_sql(rules, today=TODAY, dialect=dialect)
        return [python.to_pylist(), duck.to_pylist()]

    python, duck = in_deep_stack(CALLER_FRAMES, everywhere)  # type: ignore[misc]
    assert python == duck


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_the_tag_run_takes_a_rule_at_the_limit(schema: ProfileSchema, engine: str) -> None:
    rules = {shape: compile_rule(at_limit(shape), schema) for shape in SHAPES}
    run = run_tagging([PEOPLE], rules, schema, as_of=TODAY, engine=engine)  # type: ignore[arg-type]
    assert run.customers == len(PEOPLE)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_one_level_over_the_limit_is_refused_with_a_clear_error(
    schema: ProfileSchema, shape: str
) -> None:
    with pytest.raises(RuleError, match=f"nested too deeply: more than {MAX_DEPTH} levels"):
        compile_rule(over_limit(shape), schema)


def test_a_300_term_arithmetic_rule_is_refused_at_validation_not_in_tag(
    schema: ProfileSchema,
) -> None:
    with pytest.raises(RuleError, match="nested too deeply") as caught:
        compile_rule(" + ".join(["age"] * 300) + " > 0", schema, offer_id="long")
    assert caught.value.position == 0
    assert caught.value.offer_id == "long"


def test_a_300_term_and_or_list_is_flat_and_runs_everywhere(schema: ProfileSchema) -> None:
    text = " OR ".join(f"(age = {i} AND age > -{i})" for i in range(300))
    assert depth_of(parse(text)) < 10
    rules = {"long": compile_rule(text, schema)}
    python = tag_in_python(PEOPLE, rules, today=TODAY).to_pylist()
    assert python == tag_table(customers_to_arrow(PEOPLE, schema), rules, today=TODAY).to_pylist()
    assert python[0]["long"] is True
