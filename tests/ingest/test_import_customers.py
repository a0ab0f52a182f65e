from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine

from servesell.domain import ProfileSchema
from servesell.errors import InputFileError
from servesell.ingest import import_customers
from servesell.store import count_customers, get_customer, save_schema

SCHEMA = ProfileSchema.from_mapping(
    {"credit_limit": "float", "segment": "str", "opened_on": "date", "overdue": "int"}
)
HEADER = "id,credit_limit,segment,opened_on,overdue,holdings,vip\n"


@pytest.fixture
def db(engine: Engine) -> Engine:
    with engine.begin() as conn:
        save_schema(conn, SCHEMA)
    return engine


def write(tmp_path: Path, text: str | bytes, name: str = "customers.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def rejects_of(path: Path) -> list[dict[str, str]]:
    with path.with_name(path.name + ".rejects.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_good_rows_are_committed_and_typed(db: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C1,5000,mass,2020-01-31,0,bill_instalment;auto_debit,yes\n")
    report = import_customers(db, path)
    assert (report.accepted, report.rejected_rows) == (1, 0)
    with db.connect() as conn:
        c = get_customer(conn, "C1", SCHEMA)
    assert c.attributes == {
        "credit_limit": 5000.0,
        "segment": "mass",
        "opened_on": dt.date(2020, 1, 31),
        "overdue": 0,
    }
    assert c.holdings == {"bill_instalment", "auto_debit"}
    assert c.vip is True


def test_bad_rows_go_to_the_reject_file_and_good_rows_still_load(
    db: Engine, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        HEADER
        + "C1,5000,mass,2020-01-31,0,,\n"
        + "C2,lots,mass,2020-13-01,0,,\n"
        + "C3,7000,affluent,,2,,\n",
    )
    report = import_customers(db, path)
    assert (report.accepted, report.rejected_rows) == (2, 1)
    rows = rejects_of(path)
    assert [(r["where"], r["id"], r["column"]) for r in rows] == [
        ("line 3", "C2", "credit_limit"),
        ("line 3", "C2", "opened_on"),
    ]
    assert "expected a number" in rows[0]["reason"]
    with db.connect() as conn:
        assert count_customers(conn) == 2
        assert get_customer(conn, "C3", SCHEMA).attributes["opened_on"] is None


def test_rerun_is_idempotent_upsert_by_id(db: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C1,5000,mass,2020-01-31,0,,\n")
    import_customers(db, path)
    path = write(tmp_path, HEADER + "C1,9000,mass,2020-01-31,0,,\nC2,100,mass,,0,,\n")
    import_customers(db, path)
    import_customers(db, path)
    with db.connect() as conn:
        assert count_customers(conn) == 2
        assert get_customer(conn, "C1", SCHEMA).attributes["credit_limit"] == 9000.0


def test_duplicate_ids_in_a_file_keep_the_first(db: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C1,5000,mass,,0,,\nC1,6000,mass,,0,,\n")
    report = import_customers(db, path)
    assert (report.accepted, report.rejected_rows) == (1, 1)
    assert "duplicate id 'C1' (first on line 2)" in rejects_of(path)[0]["reason"]


def test_wrong_field_count_is_a_row_error(db: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C1,5000,mass\nC2,100,mass,,0,,\n")
    report = import_customers(db, path)
    assert (report.accepted, report.rejected_rows) == (1, 1)
    assert "expected 7 fields, found 3" in rejects_of(path)[0]["reason"]


def test_an_unterminated_quote_loses_only_its_line(db: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + 'C1,5000,mass,,0,,\nC2,"100,mass,,0,,\nC3,1,mass,,0,,\n')
    report = import_customers(db, path)
    assert (report.accepted, report.rejected_rows) == (2, 1)
    (reject,) = rejects_of(path)
    assert reject["where"] == "line 3"
    assert "quote opened on this line never closes" in reject["reason"]


def test_missing_column_stops_before_any_row(db: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "id,credit_limit,segment,opened_on\nC1,5000,mass,\n")
    with pytest.raises(InputFileError, match="missing column\\(s\\) 'overdue'"):
        import_customers(db, path)
    with db.connect() as conn:
        assert count_customers(conn) == 0


def test_unknown_column_suggests_the_declared_one(db: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER.replace("vip", "credit_limt") + "C1,1,mass,,0,,2\n")
    with pytest.raises(InputFileError, match="did you mean 'credit_limit'"):
        import_customers(db, path)
    report = import_customers(db, path, ignore_unknown=True)
    assert report.accepted == 1
    assert report.notes[0] == "ignored columns: credit_limt"


def test_a_gbk_file_is_detected_and_read_as_gb18030(db: Engine, tmp_path: Path) -> None:
    gbk = (HEADER + "C1,5000,mass,,0,,\nC2,5000,大众,,0,,\n").encode("gbk")
    path = write(tmp_path, gbk)
    report = import_customers(db, path)
    assert (report.accepted, report.rejected_rows) == (2, 0)
    assert any("read as GB18030" in note for note in report.notes)
    with db.connect() as conn:
        assert get_customer(conn, "C2", SCHEMA).attributes["segment"] == "大众"


def test_non_utf8_rows_are_rejected_with_the_byte_and_a_hint(db: Engine, tmp_path: Path) -> None:
    gbk = (HEADER + "C1,5000,mass,,0,,\nC2,5000,大众,,0,,\n").encode("gbk")
    path = write(tmp_path, gbk)
    report = import_customers(db, path, encoding="utf-8")
    assert (report.accepted, report.rejected_rows) == (1, 1)
    reason = rejects_of(path)[0]["reason"]
    assert "not valid utf-8" in reason
    assert "--encoding gb18030" in reason
    report = import_customers(db, path, encoding="gb18030")
    assert (report.accepted, report.rejected_rows) == (2, 0)


def test_empty_file_is_a_clear_error(db: Engine, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file is empty"):
        import_customers(db, write(tmp_path, ""))


def test_header_only_imports_nothing_and_says_so(db: Engine, tmp_path: Path) -> None:
    report = import_customers(db, write(tmp_path, HEADER))
    assert (report.accepted, report.rejected_rows) == (0, 0)
    assert report.summary.endswith("(no data rows)")


def test_semicolon_delimited_file_with_bom_is_read(db: Engine, tmp_path: Path) -> None:
    text = "\ufeff" + HEADER.replace(",", ";") + "C1;5000;mass;2020-01-31;0;;\n"
    report = import_customers(db, write(tmp_path, text))
    assert report.accepted == 1


def test_parquet_is_validated_like_csv(db: Engine, tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": ["C1", "C2"],
            "credit_limit": [5000.0, None],
            "segment": ["mass", "affluent"],
            "opened_on": [dt.date(2020, 1, 1), None],
            "overdue": ["0", "two"],
        }
    )
    path = tmp_path / "customers.parquet"
    pq.write_table(table, path)
    report = import_customers(db, path)
    assert (report.accepted, report.rejected_rows) == (1, 1)
    assert rejects_of(path)[0]["where"] == "row 2"


def test_stale_reject_file_is_removed_after_a_clean_run(db: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C1,x,mass,,0,,\n")
    import_customers(db, path)
    reject_file = path.with_name(path.name + ".rejects.csv")
    assert reject_file.exists()
    write(tmp_path, HEADER + "C1,1,mass,,0,,\n")
    import_customers(db, path)
    assert not reject_file.exists()


@pytest.mark.parametrize("encoding", ["klingon", "utf\x00-8"])
def test_an_unknown_encoding_is_a_file_error(db: Engine, tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, HEADER + "C1,5000,mass,2020-01-31,0,,no\n")
    with pytest.raises(InputFileError, match="unknown encoding"):
        import_customers(db, path, encoding=encoding)
