"""Read CSV or parquet files as rows that remember where they came from.

Every row carries its position (``line N`` of a CSV, ``row N`` of a parquet file) so a
validation error can point at it. CSV text is decoded with ``surrogateescape``: a byte
that is not valid in the chosen encoding does not abort the file, it marks its row, and
the importer rejects that row with the byte and a hint instead of losing the others.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from servesell.errors import InputFileError

_DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row: ``where`` it is, its cells by column name, or why it could not be read.

    ``problem`` (and the ``column`` it is in, when it is one cell) is set when the row
    cannot be used at all.
    """

    where: str
    cells: dict[str, Any]
    problem: str | None = None
    column: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A file opened for reading: its header and an iterator over its rows."""

    path: Path
    columns: tuple[str, ...]
    rows: Iterator[RawRow]


def open_table(path: Path, *, encoding: str = "utf-8") -> Table:
    """Open ``path`` as CSV (any extension but .parquet) or parquet."""
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    if path.suffix.lower() in (".parquet", ".pq"):
        return _open_parquet(path)
    return _open_csv(path, encoding)


def _open_csv(path: Path, encoding: str) -> Table:
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError(f"{path}: file is empty (expected a header row)")
    try:
        text = raw.decode(_codec(encoding), errors="surrogateescape")
    except (LookupError, ValueError):  # ValueError: a NUL inside the codec name
        raise InputFileError(f"unknown encoding {encoding!r}") from None
    header_line = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputFileError(f"{path}: line 1: malformed header ({exc})") from None
    columns = tuple(name.strip() for name in header)
    _check_header(path, columns)
    return Table(path, columns, _csv_rows(reader, columns, encoding))


def _codec(encoding: str) -> str:
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def _check_header(path: Path, columns: tuple[str, ...]) -> None:
    bad = [c for c in columns if _bad_text(c)]
    if bad:
        raise InputFileError(
            f"{path}: line 1: header is not valid text in the chosen encoding; "
            "if the file is GBK/GB18030, pass --encoding gb18030"
        )
    seen: set[str] = set()
    for i, name in enumerate(columns, start=1):
        if not name:
            raise InputFileError(f"{path}: line 1: column {i} has no name")
        if name in seen:
            raise InputFileError(f"{path}: line 1: column {name!r} appears twice")
        seen.add(name)


def _csv_rows(reader: Any, columns: tuple[str, ...], encoding: str) -> Iterator[RawRow]:
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            where = f"line {line + 1}"
            yield RawRow(where, {}, f"malformed CSV ({exc}); nothing from here on could be read")
            return
        where = (
            f"line {reader.line_num}"
            if reader.line_num == line + 1
            else (f"lines {line + 1}-{reader.line_num}")
        )
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        yield _csv_row(where, cells, columns, encoding)


def _csv_row(where: str, cells: list[str], columns: tuple[str, ...], encoding: str) -> RawRow:
    if len(cells) != len(columns):
        return RawRow(
            where, {}, f"expected {len(columns)} fields, found {len(cells)} (check quoting)"
        )
    row = dict(zip(columns, cells, strict=True))
    for column, cell in row.items():
        if _bad_text(cell):
            return RawRow(where, row, _encoding_problem(cell, encoding), column)
    return RawRow(where, row)


def _bad_text(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _encoding_problem(cell: str, encoding: str) -> str:
    byte = next(ord(ch) - 0xDC00 for ch in cell if "\udc80" <= ch <= "\udcff")
    hint = " (if the file is GBK/GB18030, pass --encoding gb18030)" if "utf" in encoding else ""
    return f"byte 0x{byte:02X} is not valid {encoding}{hint}"


def _open_parquet(path: Path) -> Table:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise InputFileError(f"{path}: not a readable parquet file ({exc})") from None
    columns = tuple(parquet.schema_arrow.names)
    _check_header(path, columns)

    def rows() -> Iterator[RawRow]:
        number = 0
        for batch in parquet.iter_batches(batch_size=10_000):
            for cells in batch.to_pylist():
                number += 1
                yield RawRow(f"row {number}", cells)

    return Table(path, columns, rows())
