from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from tests.support.tables import write_customers_csv

from servesell.errors import InputFileError
from servesell.ingest.tabular import read_table

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("encoding", "delimiter", "reported"),
    [
        ("utf-8", ",", "utf-8"),
        ("utf-8-sig", ";", "utf-8"),
        ("gbk", "\t", "gb18030"),
        ("gb18030", "|", "gb18030"),
    ],
)
def test_encoding_and_delimiter_are_detected(
    tmp_path: Path, encoding: str, delimiter: str, reported: str
) -> None:
    path = tmp_path / "t.csv"
    write_customers_csv(path, rows=60, numeric=3, encoding=encoding, delimiter=delimiter)
    table = read_table(path)
    assert (table.encoding, table.delimiter) == (reported, delimiter)
    assert list(table.frame.columns[:3]) == ["customer_id", "city", "segment"]
    assert "上海" in set(table.frame["city"])
    assert "Chengdu, Sichuan" in set(table.frame["city"])


def test_missing_spellings_become_missing(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,NA\n2,\n3,?\n4,null\n5,x\n", encoding="utf-8")
    frame = read_table(path).frame
    assert frame["b"].isna().sum() == 4


def test_an_unnamed_first_column_gets_a_name(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('"","a","y"\n"1",3,"Yes"\n"2",4,"No"\n', encoding="utf-8")
    assert list(read_table(path).frame.columns) == ["column_1", "a", "y"]


def test_latin1_bytes_still_read(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("name,y\nJos\xe9,1\nAnn,0\n".encode("latin-1"))
    table = read_table(path)
    assert table.encoding == "latin-1"
    assert table.frame["name"][0] == "José"


def test_an_explicit_wrong_encoding_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("城市,y\n上海,1\n".encode("gbk"))
    with pytest.raises(InputFileError, match="not valid utf-8"):
        read_table(path, encoding="utf-8")


def test_rows_with_extra_fields_are_counted_and_left_out(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b,y\n1,2,Yes\n3,4,5,No\n5,6,No\n7\n", encoding="utf-8")
    table = read_table(path)
    assert table.skipped == 1
    assert table.frame["a"].tolist() == ["1", "5", "7"]


def test_a_line_with_an_unclosed_quote_is_left_out_and_the_rest_read(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('a,b\n1,2\n"3,4\n5,6\n7,8\n', encoding="utf-8")
    table = read_table(path)
    assert table.skipped == 1
    assert table.frame["a"].tolist() == ["1", "5", "7"]


def test_utf8_with_one_bad_byte_is_not_guessed_as_another_encoding(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("城市,y\n上海,1\n北京,0\n".encode() + b"\xff,1\n")
    with pytest.raises(InputFileError, match="not valid utf-8 although the rest"):
        read_table(path)
