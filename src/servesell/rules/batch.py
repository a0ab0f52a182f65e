"""Tag many customers at once: the eligibility matrix of a catalog, computed by DuckDB.

One ``SELECT`` evaluates every offer's rule for every row of the batch table (see
:mod:`servesell.rules.layout`), vectorised and in parallel; a rule that is NULL for a
customer is not eligible (``FALSE`` in the matrix). The same rules render for PostgreSQL
and Spark SQL with :func:`eligibility_sql`, for warehouses too large for one machine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from sqlglot import exp

from servesell.rules.folded import folded_columns, shared_expressions
from servesell.rules.layout import ID
from servesell.rules.sql import Dialect, to_expression

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from servesell.domain.customer import Customer
    from servesell.rules.compiled import CompiledRule

SOURCE = "customers"
"""The table or view name the eligibility query reads."""


def eligibility_sql(
    rules: Mapping[str, CompiledRule],
    *,
    today: dt.date,
    dialect: Dialect = "duckdb",
    source: str = SOURCE,
    three_valued: bool = False,
) -> str:
    """``SELECT id, <rule> AS "<offer id>", ... FROM source``: one column per offer.

    Columns are TRUE/FALSE (NULL folded into FALSE, computed in two-valued logic: see
    :mod:`servesell.rules.folded`), or the raw three-valued result when ``three_valued``
    is set. Work that several rules share (``holds('p')``, ``overdue_count_12m = 0``,
    ``balance / credit_limit``, ...) is computed once per row in a subquery and read by
    every rule that uses it.
    """
    trees = {offer_id: rule.tree for offer_id, rule in rules.items()}
    if three_valued:
        shared = shared_expressions(trees.values())
        columns = {
            offer_id: to_expression(tree, dialect, today=today, columns=shared)
            for offer_id, tree in trees.items()
        }
        computed = {
            name: to_expression(node, dialect, today=today) for node, name in shared.items()
        }
    else:
        columns, computed = folded_columns(trees, dialect, today)
    selected: list[exp.Expr] = [exp.column(ID, quoted=True)]
    selected += [exp.alias_(value, offer_id, quoted=True) for offer_id, value in columns.items()]
    table: exp.Expr = exp.Table(this=exp.to_identifier(source, quoted=True))
    if computed:
        extra = [exp.alias_(value, name, quoted=True) for name, value in computed.items()]
        inner = exp.select(exp.Star(), *extra).from_(table)
        table = exp.Subquery(
            this=inner, alias=exp.TableAlias(this=exp.to_identifier(source, quoted=True))
        )
    text: str = exp.select(*selected).from_(table).sql(dialect=dialect)
    return text


def tag_relation(
    con: duckdb.DuckDBPyConnection,
    rules: Mapping[str, CompiledRule],
    *,
    today: dt.date,
    source: str = SOURCE,
    three_valued: bool = False,
) -> duckdb.DuckDBPyRelation:
    """The eligibility matrix of the table or view ``source`` on ``con``, not yet run."""
    return con.sql(eligibility_sql(rules, today=today, source=source, three_valued=three_valued))


def tag_table(
    customers: pa.Table,
    rules: Mapping[str, CompiledRule],
    *,
    today: dt.date,
    con: duckdb.DuckDBPyConnection | None = None,
    three_valued: bool = False,
) -> pa.Table:
    """The eligibility matrix of an Arrow batch table, as Arrow (``id`` + one column per offer)."""
    import duckdb

    own = con is None
    connection = duckdb.connect() if con is None else con
    try:
        connection.register(SOURCE, customers)
        relation = tag_relation(connection, rules, today=today, three_valued=three_valued)
        result: pa.Table = relation.to_arrow_table()
        connection.unregister(SOURCE)
        return result
    finally:
        if own:
            connection.close()


def tag_in_python(
    customers: Iterable[Customer], rules: Mapping[str, CompiledRule], *, today: dt.date
) -> pa.Table:
    """The same matrix as :func:`tag_table`, row by row through the compiled closures."""
    import pyarrow as pa

    people = list(customers)
    columns: dict[str, list[object]] = {ID: [c.id for c in people]}
    for offer_id, rule in rules.items():
        columns[offer_id] = [rule(c, today) is True for c in people]
    return pa.table(columns)


def eligible_pairs(matrix: pa.Table) -> Iterator[tuple[str, str]]:
    """``(customer id, offer id)`` for every TRUE cell of an eligibility matrix."""
    ids = matrix.column(ID).to_pylist()
    for offer_id in matrix.column_names[1:]:
        flags = matrix.column(offer_id).to_pylist()
        yield from ((cid, offer_id) for cid, flag in zip(ids, flags, strict=True) if flag)


def count_eligible(matrix: pa.Table) -> dict[str, int]:
    """Eligible customers per offer in an eligibility matrix."""
    import pyarrow.compute as pc

    return {name: int(pc.sum(matrix.column(name)).as_py() or 0) for name in matrix.column_names[1:]}
