"""Read the tables users bring: row by row for imports, as a text frame for learning.

One reader for both (:mod:`servesell.ingest.csvtext` finds the encoding, UTF-8 or
GB18030, and the delimiter, and reads past broken lines):

* :func:`open_table` streams CSV or parquet rows for an import. Every row carries its
  position (``line N`` of a CSV, ``row N`` of a parquet file) so a validation error can
  point at it. A byte that is not valid in the file's encoding does not abort the file:
  it marks its row, which the importer rejects with the byte and a hint. The table also
  carries the file's declared decimal mark, for the importer's number parsing.
* :func:`read_table` reads any delimited text table an analyst brings as a frame of
  text cells for :mod:`servesell.learn`. Common spellings of a missing value (empty,
  ``NA``, ``N/A``, ``NULL``, ``?``, ...) become missing; a row with more fields than
  the header, or one that cannot be read, is left out and counted (a short row is
  padded with missing values), so one broken line does not lose the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from servesell.errors import InputFileError
from servesell.ingest.csvtext import Record, decode, read_records, sniff_delimiter

if TYPE_CHECKING:
    import pandas as pd

    from servesell.domain.values import DecimalMark

_ESCAPED = re.compile(r"[\udc80-\udcff]")
"""An undecodable byte, kept by ``surrogateescape`` decoding."""
MISSING = ("", "NA", "N/A", "n/a", "na", "NaN", "nan", "NULL", "null", "None", "?", "#N/A")
"""Cell texts :func:`read_table` reads as a missing value."""


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
    """A file opened for import: its header, an iterator over its rows, how it was read."""

    path: Path
    columns: tuple[str, ...]
    rows: Iterator[RawRow]
    decimal: DecimalMark = "."
    notes: tuple[str, ...] = ()


def open_table(path: Path, *, encoding: str | None = None, decimal: DecimalMark = ".") -> Table:
    """Open ``path`` as CSV (any extension but .parquet) or parquet.

    ``encoding`` ``None`` detects UTF-8 or GB18030; ``decimal`` is the decimal mark the
    file's numbers use (``","`` for ``1.234,5``), declared because it cannot be guessed.
    """
    if decimal not in (".", ","):
        raise InputFileError(f"decimal mark must be '.' or ',', got {decimal!r}")
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    if path.suffix.lower() in (".parquet", ".pq"):
        return _open_parquet(path, decimal)
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError(f"{path}: file is empty (expected a header row)")
    decoded = decode(path, raw, encoding, lenient=True)
    header, records = read_records(path, decoded.text, sniff_delimiter(decoded.text))
    columns = tuple(name.strip() for name in header)
    _check_header(path, columns, decoded.encoding)
    encoding = decoded.encoding if _ESCAPED.search(decoded.text) else None
    rows = _csv_rows(records, columns, encoding)
    return Table(path, columns, rows, decimal, decoded.notes)


def _check_header(path: Path, columns: tuple[str, ...], encoding: str) -> None:
    if any(_bad_text(c) for c in columns):
        raise InputFileError(
            f"{path}: line 1: header is not valid {encoding} text; "
            "if the file is GBK/GB18030, pass --encoding gb18030"
        )
    seen: set[str] = set()
    for i, name in enumerate(columns, start=1):
        if not name:
            raise InputFileError(f"{path}: line 1: column {i} has no name")
        if name in seen:
            raise InputFileError(f"{path}: line 1: column {name!r} appears twice")
        seen.add(name)


def _csv_rows(
    records: Iterator[Record], columns: tuple[str, ...], encoding: str | None
) -> Iterator[RawRow]:
    """Rows by column name; ``encoding`` is None when no byte failed to decode (no check)."""
    for record in records:
        if record.cells is None:
            yield RawRow(record.where, {}, record.problem)
        elif any(cell.strip() for cell in record.cells):
            yield _csv_row(record.where, record.cells, columns, encoding)


def _csv_row(
    where: str, cells: list[str], columns: tuple[str, ...], encoding: str | None
) -> RawRow:
    if len(cells) != len(columns):
        return RawRow(
            where, {}, f"expected {len(columns)} fields, found {len(cells)} (check quoting)"
        )
    row = dict(zip(columns, cells, strict=True))
    if encoding is not None:
        for column, cell in row.items():
            if _bad_text(cell):
                return RawRow(where, row, _encoding_problem(cell, encoding), column)
    return RawRow(where, row)


def _bad_text(text: str) -> bool:
    return _ESCAPED.search(text) is not None


def _encoding_problem(cell: str, encoding: str) -> str:
    byte = next(ord(ch) - 0xDC00 for ch in cell if "\udc80" <= ch <= "\udcff")
    hint = " (if the file is GBK/GB18030, pass --encoding gb18030)" if "utf" in encoding else ""
    return f"byte 0x{byte:02X} is not valid {encoding}{hint}"


def _open_parquet(path: Path, decimal: DecimalMark) -> Table:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise InputFileError(f"{path}: not a readable parquet file ({exc})") from None
    columns = tuple(parquet.schema_arrow.names)
    _check_header(path, columns, "utf-8")

    def rows() -> Iterator[RawRow]:
        number = 0
        for batch in parquet.iter_batches(batch_size=10_000):
            for cells in batch.to_pylist():
                number += 1
                yield RawRow(f"row {number}", cells)

    return Table(path, columns, rows(), decimal)


@dataclass(frozen=True, slots=True)
class TableText:
    """A table read as text for learning, with how it was read."""

    frame: pd.DataFrame
    encoding: str
    delimiter: str
    skipped: int = 0
    """Rows left out: more fields than the header, or lines the CSV grammar cannot read."""
    notes: tuple[str, ...] = ()


def read_table(path: Path, *, encoding: str | None = None) -> TableText:
    """Read ``path`` as a table of text cells; :class:`InputFileError` when it cannot be."""
    import pandas as pd

    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError(f"{path}: file is empty (expected a header row)")
    decoded = decode(path, raw, encoding, lenient=False)
    delimiter = sniff_delimiter(decoded.text)
    header, records = read_records(path, decoded.text, delimiter)
    names = [_name(cell, i) for i, cell in enumerate(header, start=1)]
    _check_names(path, names)
    rows, skipped = _text_rows(records, len(names))
    if not rows:
        why = f" ({skipped} malformed; check the quoting)" if skipped else ""
        raise InputFileError(f"{path}: has a header but no readable data rows{why}")
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    return TableText(frame, decoded.encoding, delimiter, skipped, decoded.notes)


def _text_rows(records: Iterator[Record], width: int) -> tuple[list[list[str | None]], int]:
    """Rows padded to ``width`` with missing values, and how many records were left out."""
    missing = frozenset(MISSING)
    rows: list[list[str | None]] = []
    skipped = 0
    for record in records:
        if record.cells is None or len(record.cells) > width:
            skipped += 1
            continue
        if not any(cell.strip() for cell in record.cells):
            continue
        cells = [cell.lstrip(" ") for cell in record.cells]
        cells += [""] * (width - len(cells))
        rows.append([None if cell in missing else cell for cell in cells])
    return rows, skipped


def _check_names(path: Path, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputFileError(f"{path}: line 1: column {name!r} appears twice")
        seen.add(name)


def _name(header: str, position: int) -> str:
    """The stripped header, or ``column_N`` for a column without one (R's row names)."""
    header = header.strip()
    return header or f"column_{position}"
