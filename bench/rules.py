"""Eligibility rules: online latency and batch throughput, printed as one JSON line.

* online: one customer against a 50-offer catalog through the compiled Python rules
  (p50 and p99 of the whole catalog, in microseconds; the garbage collector is paused
  while timing, as ``timeit`` does).
* batch: ``--rows`` synthetic customers (default 10 million) x the same 50 rules through
  DuckDB, fetching the full eligibility matrix as Arrow (the call ``servesell tag`` makes,
  :func:`servesell.rules.batch.tag_relation`); compared with a plain row-by-row
  Python loop (fetch each row, build the customer, run the 50 rules) over a 100k-row
  sample of the same table, measured in the same run.

Usage: ``python bench/rules.py [--rows N]``. Progress goes to stderr, the figures to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import sys
import time
from typing import Any

import duckdb

from servesell.domain import Customer, ProfileSchema
from servesell.rules import CompiledRule, compile_rule
from servesell.rules.batch import tag_relation

TODAY = dt.date(2026, 3, 2)
LOOP_SAMPLE = 100_000
ONLINE_CUSTOMERS = 1_000
ONLINE_ROUNDS = 20_000
SCHEMA = ProfileSchema.from_mapping(
    {
        "age": "int",
        "segment": "str",
        "city_tier": "int",
        "account_age_days": "int",
        "credit_limit": "float",
        "balance": "float",
        "repayment_mode": "str",
        "overdue_count_12m": "int",
        "monthly_spend": "float",
        "travel_spend_12m": "float",
        "deposit_balance": "float",
        "risk_tolerance": "int",
        "annual_income": "float",
        "last_login_on": "date",
    }
)
PRODUCTS = (
    "auto_debit",
    "mobile_banking",
    "travel_insurance",
    "wealth_product",
    "bill_instalment",
    "accident_insurance",
    "gold_card",
)
TEMPLATES = (
    "account_age_days >= {a} AND credit_limit >= {c} AND overdue_count_12m = 0 "
    "AND repayment_mode = 'full' AND NOT holds('bill_instalment')",
    "account_age_days >= 365 AND overdue_count_12m = 0 AND credit_limit >= {c}",
    "travel_spend_12m >= {t} AND NOT holds('travel_insurance')",
    "deposit_balance >= {d} AND risk_tolerance >= 3 AND NOT holds('wealth_product')",
    "credit_limit >= {c} AND segment IN ('affluent', 'private')",
    "NOT holds('auto_debit') AND repayment_mode <> 'full' AND balance > {b}",
    "age BETWEEN 25 AND {age} AND city_tier <= 2 AND overdue_count_12m = 0",
    "days_since(last_login_on) > {days} AND NOT holds('mobile_banking')",
    "COALESCE(annual_income, monthly_spend * 12) >= {inc} AND age < 65",
    "balance / credit_limit > 0.{k} AND repayment_mode IN ('partial', 'minimum')",
)
GENERATE = """
SELECT
  'C' || lpad(i::VARCHAR, 9, '0') AS id,
  CASE WHEN random() < 0.02 THEN NULL ELSE 18 + (random() * 62)::BIGINT END AS age,
  ['mass', 'young_professional', 'affluent', 'private'][1 + (random() * 3.99)::INT] AS segment,
  1 + (random() * 2.99)::BIGINT AS city_tier,
  (random() * 3000)::BIGINT AS account_age_days,
  round(random() * 80000, 2) AS credit_limit,
  round(random() * 30000, 2) AS balance,
  CASE WHEN random() < 0.05 THEN NULL
       ELSE ['full', 'partial', 'minimum'][1 + (random() * 2.99)::INT] END AS repayment_mode,
  CASE WHEN random() < 0.8 THEN 0 ELSE (random() * 5)::BIGINT END AS overdue_count_12m,
  round(random() * 20000, 2) AS monthly_spend,
  round(random() * 30000, 2) AS travel_spend_12m,
  round(random() * 500000, 2) AS deposit_balance,
  1 + (random() * 4.99)::BIGINT AS risk_tolerance,
  CASE WHEN random() < 0.4 THEN NULL ELSE round(random() * 600000, 2) END AS annual_income,
  CASE WHEN random() < 0.3 THEN NULL
       ELSE DATE '2026-03-02' - (random() * 400)::INT END AS last_login_on,
  [p FOR p IN {products} IF random() < 0.25] AS holdings
FROM range({rows}) AS t(i)
"""


def catalog() -> dict[str, CompiledRule]:
    """50 rules: each template with five thresholds."""
    rules: dict[str, CompiledRule] = {}
    for t, template in enumerate(TEMPLATES):
        for k in range(5):
            values = {
                "a": 90 * (k + 1),
                "c": 5000 * (k + 1),
                "t": 1000 * (k + 1),
                "d": 20000 * (k + 1),
                "b": 1000 * k,
                "age": 40 + 5 * k,
                "days": 15 * (k + 1),
                "inc": 100000 * (k + 1),
                "k": k + 2,
            }
            offer_id = f"offer_{t:02d}_{k}"
            rules[offer_id] = compile_rule(template.format(**values), SCHEMA, offer_id=offer_id)
    return rules


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def to_customer(row: tuple[Any, ...], names: tuple[str, ...]) -> Customer:
    """A customer from one fetched row (id, fields..., holdings)."""
    return Customer(row[0], dict(zip(names, row[1:-1], strict=True)), frozenset(row[-1]))


def online(rules: list[CompiledRule], people: list[Customer]) -> tuple[float, float]:
    """p50 and p99 in microseconds of one customer against the whole catalog."""
    samples = []
    clock = time.perf_counter_ns
    gc.disable()
    try:
        for i in range(ONLINE_ROUNDS):
            person = people[i % len(people)]
            start = clock()
            for rule in rules:
                rule(person, TODAY)
            samples.append(clock() - start)
    finally:
        gc.enable()
    samples.sort()
    return samples[len(samples) // 2] / 1000, samples[int(len(samples) * 0.99)] / 1000


def python_loop(con: duckdb.DuckDBPyConnection, rules: list[CompiledRule], rows: int) -> float:
    """Seconds for the plain row-by-row loop over the first ``rows`` customers."""
    names = SCHEMA.names
    start = time.perf_counter()
    cursor = con.execute(f"SELECT * FROM customers LIMIT {rows}")
    eligible = 0
    for row in cursor.fetchall():
        person = to_customer(row, names)
        for rule in rules:
            eligible += rule(person, TODAY) is True
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="batch rows")
    args = parser.parse_args()
    rules = catalog()
    con = duckdb.connect()
    con.execute("SELECT setseed(0.42)")
    log(f"generating {args.rows:,} customers in DuckDB ...")
    products = "[" + ", ".join(f"'{p}'" for p in PRODUCTS) + "]"
    con.execute("CREATE TABLE customers AS " + GENERATE.format(products=products, rows=args.rows))

    sample = con.execute(f"SELECT * FROM customers LIMIT {ONLINE_CUSTOMERS}").fetchall()
    people = [to_customer(row, SCHEMA.names) for row in sample]
    log("online: one customer x 50 rules ...")
    p50, p99 = online(list(rules.values()), people)

    loop_rows = min(LOOP_SAMPLE, args.rows)
    log(f"row-by-row Python loop over {loop_rows:,} rows ...")
    loop_seconds = python_loop(con, list(rules.values()), loop_rows)

    log(f"batch: {args.rows:,} rows x {len(rules)} rules through DuckDB ...")
    start = time.perf_counter()
    matrix = tag_relation(con, rules, today=TODAY).to_arrow_table()
    batch_seconds = time.perf_counter() - start
    assert matrix.shape == (args.rows, len(rules) + 1)

    rows_per_s = args.rows / batch_seconds
    loop_rows_per_s = loop_rows / loop_seconds
    print(
        json.dumps(
            {
                "online_p50_us": round(p50, 1),
                "online_p99_us": round(p99, 1),
                "online_offers": len(rules),
                "batch_rows": args.rows,
                "batch_seconds": round(batch_seconds, 2),
                "rows_per_s": round(rows_per_s),
                "loop_rows": loop_rows,
                "loop_rows_per_s": round(loop_rows_per_s),
                "speedup_vs_loop": round(rows_per_s / loop_rows_per_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
