"""Hostile imports: files built to lose, corrupt or smuggle data, on SQLite and PostgreSQL.

Each case of the corpus is written by the test, imported with the real CLI, and checked
three ways: the exit code, every line of the rejects file (where, column, reason), and
that the rows stored are exactly the rows that are valid, with the values they mean.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, delete
from typer.testing import CliRunner

from servesell.cli import app
from servesell.domain import Customer, ProfileSchema
from servesell.ingest.customers import ParsedRow
from servesell.ingest.load import StoredRows, store_rows
from servesell.store import (
    count_customers,
    get_customer,
    list_offers,
    open_db,
    require_schema,
    save_schema,
)
from servesell.store.tables import customers, offers
from support.postgres import fresh_database

SCHEMA = ProfileSchema.from_mapping(
    {"credit_limit": "float", "segment": "str", "opened_on": "date", "overdue": "int"}
)
HEADER = "id,credit_limit,segment,opened_on,overdue,email,wechat_openid,holdings"
runner = CliRunner()


def row(
    cid: str,
    credit: str = "1000",
    segment: str = "mass",
    opened: str = "2020-01-31",
    overdue: str = "0",
    email: str = "",
    wechat: str = "",
    holdings: str = "",
    sep: str = ",",
) -> str:
    """One data line, fields joined as written (no quoting: the cases craft their own)."""
    return sep.join([cid, credit, segment, opened, overdue, email, wechat, holdings])


def good(*ids: str, sep: str = ",") -> list[str]:
    """Valid lines for ``ids``."""
    return [row(cid, sep=sep) for cid in ids]


@dataclass(frozen=True)
class Case:
    """One hostile file: what it holds and what importing it must do."""

    name: str
    lines: list[str] | Callable[[Path], Path]
    stored: int
    rejects: list[tuple[str, str, str]] = field(default_factory=list)
    """``(where, column, part of the reason)`` for every line of the rejects file, in order."""
    args: tuple[str, ...] = ()
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Customer id -> attributes (or contact fields) it must be stored with."""
    output: tuple[str, ...] = ()
    encoding: str = "utf-8"
    header: str = HEADER
    rejected_rows: int | None = None
    """Rows rejected, when a row has several reasons (else one row per reason)."""

    def write(self, folder: Path) -> Path:
        """The file of this case in ``folder``."""
        if callable(self.lines):
            return self.lines(folder)
        path = folder / f"{self.name}.csv"
        lines = [self.header, *self.lines] if self.header else self.lines
        path.write_bytes("\n".join([*lines, ""]).encode(self.encoding))
        return path


def _long_batch() -> list[str]:
    lines = good(*(f"B{i:05d}" for i in range(12_000)))
    lines[2_500] = row("B02500", email="x" * 250 + "@example.com")
    lines[7_000] = row("B07000", email="a\x00b@example.com")
    lines[11_000] = row("B11000", wechat="o" * 65)
    return lines


def _parquet_uint64(folder: Path) -> Path:
    path = folder / "uint64.parquet"
    table = pa.table(
        {
            "id": ["P1", "P2"],
            "credit_limit": [1.0, 2.0],
            "segment": ["mass", "mass"],
            "opened_on": [dt.date(2020, 1, 1)] * 2,
            "overdue": pa.array([2**63 - 1, 2**64 - 1], pa.uint64()),
        }
    )
    pq.write_table(table, path)
    return path


SEMI = HEADER.replace(",", ";")
LONG = "x" * 200_000
CORPUS = [
    # 1. values that pass validation but break a column
    Case(
        "email_255",
        [*good("C1"), row("C2", email="e" * 243 + "@example.com"), *good("C3")],
        2,
        [("line 3", "email", "255 characters, more than the 254")],
    ),
    Case("email_254", [row("C1", email="e" * 242 + "@example.com")], 1),
    Case(
        "nul_in_email",
        [*good("C1"), row("C2", email="a\x00b@example.com"), *good("C3")],
        2,
        [("line 3", "email", "U+0000 NUL")],
    ),
    Case(
        "nul_in_wechat",
        [row("C1", wechat="wx\x00id"), *good("C2")],
        1,
        [("line 2", "wechat_openid", "U+0000 NUL")],
    ),
    Case("wechat_65", [row("C1", wechat="o" * 65)], 0, [("line 2", "wechat_openid", "the 64")]),
    Case("id_65", [row("I" * 65), *good("C2")], 1, [("line 2", "id", "the 64")]),
    Case("nul_in_text", [row("C1", segment="ma\x00ss")], 0, [("line 2", "segment", "NUL")]),
    Case(
        "batch_of_12000_with_3_bad_rows",
        _long_batch(),
        11_997,
        [
            ("line 2502", "email", "more than the 254"),
            ("line 7002", "email", "NUL"),
            ("line 11002", "wechat_openid", "more than the 64"),
        ],
    ),
    # 2. decimal commas: read when declared, refused when not
    Case(
        "decimal_comma_undeclared",
        [row("C1", credit="3,5", sep=";"), row("C2", credit="1.234,56", sep=";")],
        0,
        [
            ("line 2", "credit_limit", "--decimal-comma"),
            ("line 3", "credit_limit", "--decimal-comma"),
        ],
        header=SEMI,
    ),
    Case(
        "decimal_comma_declared",
        [row("C1", credit="3,5", sep=";"), row("C2", credit="1.234,56", sep=";")],
        2,
        args=("--decimal-comma",),
        values={"C1": {"credit_limit": 3.5}, "C2": {"credit_limit": 1234.56}},
        header=SEMI,
    ),
    Case(
        "decimal_point_in_a_comma_file",
        [row("C1", credit="3.5", sep=";"), row("C2", credit="1.234", sep=";")],
        1,
        [("line 2", "credit_limit", "not a number with a decimal comma")],
        args=("--decimal-comma",),
        values={"C2": {"credit_limit": 1234.0}},
        header=SEMI,
    ),
    Case(
        "thousands_groups",
        [row("C1", credit='"1,234.5"'), row("C2", credit='"12,34"'), row("C3", credit='"0,125"')],
        1,
        [
            ("line 3", "credit_limit", "--decimal-comma"),
            ("line 4", "credit_limit", "--decimal-comma"),
        ],
        values={"C1": {"credit_limit": 1234.5}},
    ),
    # 3. one bad line must not end the file
    Case(
        "field_over_131072_characters",
        [*good("C1"), row("C2", segment=LONG), *good("C3")],
        3,
        values={"C2": {"segment": LONG}},
    ),
    Case(
        "id_over_131072_characters",
        [*good("C1"), row("I" * 200_000), *good("C3")],
        2,
        [("line 3", "id", "200000 characters")],
    ),
    Case(
        "unbalanced_quote",
        [*good("C1"), row("C2", segment='"mass'), *good("C3", "C4")],
        3,
        [("line 3", "", "quote opened on this line never closes")],
    ),
    Case(
        "text_after_a_closing_quote",
        [*good("C1"), row("C2", segment='"mass"x'), *good("C3")],
        2,
        [("line 3", "", "malformed CSV")],
    ),
    Case(
        "two_stray_quotes_pair_up",
        [*good("C1"), row("C2", segment='"a'), *good("C3"), row("C4", segment='b"'), *good("C5")],
        4,
        [("line 3", "", "runs on to line 5, over what look like records")],
        values={"C4": {"segment": 'b"'}},
    ),
    Case(
        "wrong_field_count",
        [*good("C1"), "C2,1000,mass", *good("C3")],
        2,
        [("line 3", "", "expected 8 fields, found 3")],
    ),
    Case(
        "a_stray_quote_swallowing_short_lines",
        [row("C1", segment='"a'), "x", row("C2", segment='b"')],
        1,
        [("line 2", "", "runs on to line 4"), ("line 3", "", "expected 8 fields, found 1")],
        values={"C2": {"segment": 'b"'}},
    ),
    Case(
        "legal_quoted_newline",
        [row("C1", segment='"two\nlines"'), *good("C2")],
        2,
        values={"C1": {"segment": "two\nlines"}},
    ),
    Case("crlf_and_blank_lines", ["\r".join(good("C1", "C2")) + "\r", "", "   ", *good("C3")], 3),
    # 4. values that must not become something else silently
    Case(
        "full_width_digits",
        [row("C1", credit="１２３４．５", overdue="３５", opened="２０２６－０３－０１")],
        1,
        values={"C1": {"credit_limit": 1234.5, "overdue": 35, "opened_on": dt.date(2026, 3, 1)}},
    ),
    Case(
        "arabic_indic_digits",
        [row("C1", overdue="٣٥")],
        0,
        [("line 2", "overdue", "U+0663 ARABIC-INDIC DIGIT THREE")],
    ),
    Case("underscore_digits", [row("C1", overdue="1_000")], 0, [("line 2", "overdue", "'_'")]),
    Case(
        "exponent_in_a_whole_number",
        [row("C1", overdue="1e3"), row("C2", credit="1.5e3")],
        1,
        [("line 2", "overdue", "expected a whole number")],
        values={"C2": {"credit_limit": 1500.0}},
    ),
    Case(
        "not_finite",
        [row("C1", credit="inf"), row("C2", credit="NaN")],
        0,
        [("line 2", "credit_limit", "expected a number"), ("line 3", "credit_limit", "number")],
    ),
    Case(
        "basic_iso_date",
        [row("C1", opened="20260301")],
        1,
        values={"C1": {"opened_on": dt.date(2026, 3, 1)}},
    ),
    Case(
        "iso_week_date",
        [row("C1", opened="2026-W09-1")],
        0,
        [("line 2", "opened_on", "week dates")],
    ),
    Case(
        "impossible_time",
        [row("C1", opened="2026-03-01T25:99"), row("C2", opened="2026-03-01T10:30:00+08:00")],
        1,
        [("line 2", "opened_on", "not a valid date-time")],
        values={"C2": {"opened_on": dt.date(2026, 3, 1)}},
    ),
    Case(
        "ids_with_invisible_spaces",
        [row("C1\u00a0"), row("\u3000C2"), row(" C3\t")],
        1,
        [
            ("line 2", "id", "U+00A0 NO-BREAK SPACE"),
            ("line 3", "id", "U+3000 IDEOGRAPHIC SPACE"),
        ],
        values={"C3": {"overdue": 0}},
    ),
    Case(
        "ascii_padding_makes_a_duplicate",
        [row("C1"), row(" C1 ")],
        1,
        [("line 3", "id", "duplicate id 'C1' (first on line 2)")],
    ),
    Case(
        "control_characters",
        [row("C1", segment="a\x1bb"), row("C2", holdings="card\u00a0")],
        0,
        [("line 2", "segment", "U+001B"), ("line 3", "holdings", "product code")],
    ),
    Case(
        "gbk_detected",
        [row("C1", segment="大众")],
        1,
        values={"C1": {"segment": "大众"}},
        output=("read as GB18030",),
        encoding="gbk",
    ),
    Case(
        "utf8_declared_gb18030",
        [row("C1", segment="上海")],
        1,
        args=("--encoding", "gb18030"),
        output=("valid UTF-8 but was read as gb18030", "'上海' reads as"),
    ),
    Case(
        "bad_utf8_byte_declared_utf8",
        lambda folder: _bytes(folder, "bad_byte.csv", row("C1", segment="\udcff")),
        0,
        [("line 2", "segment", "byte 0xFF is not valid utf-8")],
        args=("--encoding", "utf-8"),
    ),
    # 8. whole numbers must fit 64 bits
    Case(
        "int_64_bit_bounds",
        [
            row("C1", overdue="9223372036854775807"),
            row("C2", overdue="-9223372036854775808"),
            row("C3", overdue="9223372036854775808"),
            row("C4", overdue="9" * 5000),
        ],
        2,
        [("line 4", "overdue", "64-bit"), ("line 5", "overdue", "64-bit")],
        values={"C1": {"overdue": 2**63 - 1}, "C2": {"overdue": -(2**63)}},
    ),
    Case("parquet_uint64", _parquet_uint64, 1, [("row 2", "overdue", "64-bit")]),
    # our own
    Case(
        "formula_in_a_rejected_cell",
        [row("C1", overdue="=HYPERLINK(1)")],
        0,
        [("line 2", "overdue", "expected a whole number")],
    ),
    Case(
        "email_with_a_no_break_space",
        [row("C1", email="a\u00a0b@example.com")],
        0,
        [("line 2", "email", "not an e-mail address")],
    ),
    Case("bom_and_semicolons", ["\ufeff" + SEMI, *good("C1", sep=";")], 1, header=""),
    Case(
        "many_problems_in_one_row",
        [row("C1", credit="lots", opened="2026-02-30", email="nobody"), *good("C2")],
        1,
        [
            ("line 2", "credit_limit", "expected a number"),
            ("line 2", "opened_on", "day is out of range"),
            ("line 2", "email", "not an e-mail address"),
        ],
        rejected_rows=1,
    ),
    Case(
        "empty_id", [row(""), row("-C2")], 0, [("line 2", "id", "empty"), ("line 3", "id", "'-'")]
    ),
    Case("header_only", [], 0),
]


def _bytes(folder: Path, name: str, line: str) -> Path:
    path = folder / name
    path.write_bytes((HEADER + "\n" + line + "\n").encode("utf-8", "surrogateescape"))
    return path


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def corpus_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One migrated database per backend for the whole corpus, with the schema declared."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'servesell.db'}"
    else:
        url = fresh_database(request.getfixturevalue("pg_server"))
    engine = open_db(url)
    with engine.begin() as conn:
        save_schema(conn, SCHEMA)
    engine.dispose()
    return url


@pytest.fixture
def corpus_engine(corpus_db: str) -> Iterator[Engine]:
    """The corpus database, emptied of customers and offers."""
    engine = open_db(corpus_db, migrate=False)
    with engine.begin() as conn:
        conn.execute(delete(customers))
        conn.execute(delete(offers))
    yield engine
    engine.dispose()


def rejects_of(path: Path) -> list[dict[str, str]]:
    """The rows of the rejects file written beside ``path`` (none when there is no file)."""
    target = path.with_name(path.name + ".rejects.csv")
    if not target.exists():
        return []
    with target.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_a_hostile_file_stores_exactly_its_valid_rows(
    case: Case, corpus_db: str, corpus_engine: Engine, tmp_path: Path
) -> None:
    path = case.write(tmp_path)
    command = ["import", "customers", str(path), "--db", corpus_db, *case.args]
    result = runner.invoke(app, command)
    assert result.exit_code == (1 if case.rejects else 0), result.output
    found = [(r["where"], r["column"], r["reason"]) for r in rejects_of(path)]
    assert len(found) == len(case.rejects), found
    for (where, column, reason), (want_where, want_column, part) in zip(
        found, case.rejects, strict=True
    ):
        assert (where, column) == (want_where, want_column), found
        assert part in reason, (reason, part)
    rejected = len(case.rejects) if case.rejected_rows is None else case.rejected_rows
    assert f"{case.stored} accepted, {rejected} rejected" in result.output
    with corpus_engine.connect() as conn:
        assert count_customers(conn) == case.stored
        for cid, values in case.values.items():
            stored = get_customer(conn, cid, SCHEMA)
            assert {k: stored.attributes[k] for k in values} == values
    for text in case.output:
        assert text in result.output


def test_the_corpus_has_forty_files() -> None:
    assert len(CORPUS) >= 40


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"email": "x" * 300 + "@example.com"}, id="email_over_254"),
        pytest.param({"wechat_openid": "wx\x00id"}, id="nul"),
        pytest.param({"phone": "\ud800"}, id="lone_surrogate"),
    ],
)
def test_a_row_the_database_refuses_is_a_reject_and_its_batch_is_kept(
    corpus_db: str, corpus_engine: Engine, bad: dict[str, str]
) -> None:
    """Behind validation: if a row still reaches the database and is refused, only it goes."""
    rows = [
        ParsedRow("line 2", Customer("G1"), ()),
        ParsedRow("line 3", Customer("BAD", **bad), ()),
        ParsedRow("line 4", Customer("G2"), ()),
    ]
    stored = StoredRows()
    store_rows(corpus_engine, iter(rows), stored)
    refused = [r for r in stored.rejects if r.where == "line 3"]
    if corpus_db.startswith("sqlite") and "phone" not in bad:
        assert (stored.accepted, stored.rejected_rows) == (3, 0)  # SQLite stores these
        return
    assert (stored.accepted, stored.rejected_rows) == (2, 1)
    assert refused[0].id == "BAD"
    assert refused[0].reason.startswith("the database refused the row:")
    with corpus_engine.connect() as conn:
        assert count_customers(conn) == 2


def test_a_database_that_stops_mid_import_is_a_clear_error_and_rejects_are_written(
    corpus_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from servesell.errors import StoreError
    from servesell.ingest import import_customers, load

    calls = []
    upsert = load.upsert_customers

    def failing_upsert(conn: Any, batch: list[Customer]) -> int:
        calls.append(len(batch))
        if len(calls) == 2:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return upsert(conn, batch)

    monkeypatch.setattr(load, "BATCH", 2)
    monkeypatch.setattr(load, "upsert_customers", failing_upsert)
    path = Case("stops", [*good("C1", "C2"), row("C3", overdue="x"), *good("C4", "C5")], 0).write(
        tmp_path
    )
    with pytest.raises(StoreError, match="stopped the import after 2 rows were stored"):
        import_customers(corpus_engine, path)
    assert [r["where"] for r in rejects_of(path)] == ["line 4"]
    with corpus_engine.connect() as conn:
        assert count_customers(conn) == 2


def offer_yaml(offer_id: str, rule: str = "overdue = 0", extra: str = "") -> str:
    """One offer of a catalog, as YAML lines under ``offers:``."""
    return (
        f"  - id: {offer_id}\n    name: Offer {offer_id}\n    product: p_{offer_id}\n"
        f"    rule: {rule}\n    value: 100\n    piece_rate: 5\n    extra_handle_seconds: 60\n"
        f"    prior_propensity: 0.1\n    channels: [in_call]\n    script: Hello\n{extra}"
    )


LAUGHS = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)
)
YAML_CORPUS = [
    pytest.param(
        "offers:\n" + offer_yaml("a", extra="    value: 100000\n"),
        2,
        "line 12, column 5: key 'value' appears twice in this mapping (first on line 6)",
        0,
        id="duplicate_key",
    ),
    pytest.param(
        "offers:\n" + offer_yaml("a", extra="    starts_on: 2026-02-30\n"),
        2,
        "line 12, column 16: '2026-02-30' is not a valid date",
        0,
        id="impossible_date",
    ),
    pytest.param(
        "offers:\n" + offer_yaml("a", extra=f"    limit: {'9' * 5000}\n"),
        2,
        "line 12, column 12: whole number 99999999999999999999... (5000 digits) is outside",
        0,
        id="5000_digit_integer",
    ),
    pytest.param(
        "offers:\n" + offer_yaml("a", extra="    x: " + "[" * 20_000 + "]" * 20_000 + "\n"),
        2,
        "line 12, column 55: nested deeper than 50 levels",
        0,
        id="20000_deep_nesting",
    ),
    pytest.param(
        "offers:\n"
        + offer_yaml("a", rule=" + ".join(["overdue"] * 300) + " > 0")
        + offer_yaml("b"),
        1,
        "offer 'a', position 0: the rule is nested too deeply: more than 24 levels",
        1,
        id="300_term_rule",
    ),
    pytest.param(
        "offers:\n" + offer_yaml("a").replace("value: 100", "value: .inf") + offer_yaml("b"),
        1,
        "offer 'a', field 'value': Input should be a finite number",
        1,
        id="infinite_value",
    ),
    pytest.param(
        "offers:\n" + offer_yaml("a", extra="    lever: .nan\n"),
        1,
        "offer 'a', field 'lever': Input should be a finite number",
        0,
        id="nan_lever",
    ),
    pytest.param(
        "offers:\n" + offer_yaml("a").replace("piece_rate: 5", "piece_rate: 1.0e+309"),
        1,
        "offer 'a', field 'piece_rate': Input should be a finite number",
        0,
        id="overflowing_piece_rate",
    ),
    pytest.param(
        "offers:\n" + offer_yaml("a").replace("value: 100", "value: 1.0e+12"),
        1,
        "offer 'a', field 'value': Input should be less than or equal to 100000000",
        0,
        id="value_beyond_money_bound",
    ),
    pytest.param(
        LAUGHS + "offers:\n" + offer_yaml("a").replace("Offer a", "*l9"),
        1,
        "field 'name': Input should be a valid string",
        0,
        id="billion_laughs",
    ),
]


@pytest.mark.parametrize(("text", "exit_code", "message", "loaded"), YAML_CORPUS)
def test_a_hostile_catalog_is_a_clear_error_with_its_line(
    text: str,
    exit_code: int,
    message: str,
    loaded: int,
    corpus_db: str,
    corpus_engine: Engine,
    tmp_path: Path,
) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["offers", "load", str(path), "--db", corpus_db])
    assert result.exit_code == exit_code, result.output
    assert message in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output
    with corpus_engine.connect() as conn:
        assert len(list_offers(conn)) == loaded


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_tag_runs_over_whatever_the_import_stored(
    corpus_db: str,
    corpus_engine: Engine,
    tmp_path: Path,
    engine: str,
) -> None:
    """Whole numbers beyond 64 bits used to import, then crash ``servesell tag`` for all."""
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("offers:\n" + offer_yaml("late", rule="overdue > 0"), encoding="utf-8")
    assert runner.invoke(app, ["offers", "load", str(catalog), "--db", corpus_db]).exit_code == 0
    path = CORPUS[[c.name for c in CORPUS].index("int_64_bit_bounds")].write(tmp_path)
    runner.invoke(app, ["import", "customers", str(path), "--db", corpus_db])
    command = ["tag", "--db", corpus_db, "--engine", engine, "--as-of", "2026-03-02"]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "2 customers" in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fields:\n  age: int\n  segment: str\n  age: float\n", "line 4, column 3: key 'age'"),
        ("fields:\n  age: int\n  opened: 2026-13-01\n", "line 3, column 11: '2026-13-01'"),
        ("age: int\nx: " + "{a: " * 60 + "1" + "}" * 60 + "\n", "line 2, column"),
    ],
    ids=["duplicate_field", "impossible_date", "deep_nesting"],
)
def test_a_hostile_schema_file_changes_nothing_and_names_its_line(
    text: str, message: str, corpus_db: str, corpus_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["schema", "load", str(path), "--db", corpus_db])
    assert result.exit_code == 2, result.output
    assert message in result.output
    with corpus_engine.connect() as conn:
        assert require_schema(conn) == SCHEMA
