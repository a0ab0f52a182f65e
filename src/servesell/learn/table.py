"""Read any delimited text table an analyst brings, and say how it was read.

The encoding is found by trying UTF-8 (with or without a byte-order mark), then
GB18030 (a superset of GBK and GB2312), then Latin-1, which accepts any bytes. The
delimiter is sniffed from the first lines among comma, semicolon, tab and pipe. Every
cell is read as text; :mod:`servesell.learn.prepare` decides what is a number. Common
spellings of a missing value (empty, ``NA``, ``N/A``, ``NULL``, ``?``, ...) become
missing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from servesell.errors import InputFileError

if TYPE_CHECKING:
    from pathlib import Path

ENCODINGS = ("utf-8-sig", "gb18030", "latin-1")
DELIMITERS = ",;\t|"
MISSING = ("", "NA", "N/A", "n/a", "na", "NaN", "nan", "NULL", "null", "None", "?", "#N/A")
"""Cell texts read as a missing value."""


@dataclass(frozen=True, slots=True)
class TableText:
    """A table read as text, with how it was read."""

    frame: pd.DataFrame
    encoding: str
    delimiter: str


def read_table(path: Path, *, encoding: str | None = None) -> TableText:
    """Read ``path`` as a table of text cells; :class:`InputFileError` when it cannot be."""
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError(f"{path}: file is empty (expected a header row)")
    text, used = _decode(path, raw, encoding)
    delimiter = sniff_delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=list(MISSING),
            skipinitialspace=True,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InputFileError(f"{path}: not a readable table ({_first_line(exc)})") from None
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{path}: no columns found") from None
    frame.columns = [_name(str(c), i) for i, c in enumerate(frame.columns, start=1)]
    frame = frame.reset_index(drop=True)
    _check_columns(path, frame)
    return TableText(frame, used, delimiter)


def sniff_delimiter(text: str) -> str:
    """The delimiter of ``text``: sniffed from its first lines, else the header's commonest."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = text.split("\n", 1)[0]
        return max(DELIMITERS, key=header.count)


def _decode(path: Path, raw: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except LookupError:
            raise InputFileError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise InputFileError(
                f"{path}: byte {exc.start} is not valid {encoding}; leave out --encoding "
                "to detect it"
            ) from None
    for candidate in ENCODINGS:
        try:
            return raw.decode(candidate), "utf-8" if candidate == "utf-8-sig" else candidate
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _check_columns(path: Path, frame: pd.DataFrame) -> None:
    seen: set[str] = set()
    for name in frame.columns:
        if name in seen or (name.rsplit(".", 1)[0] in seen and name[-1].isdigit()):
            raise InputFileError(f"{path}: line 1: column {name.rsplit('.', 1)[0]!r} appears twice")
        seen.add(name)
    if frame.empty:
        raise InputFileError(f"{path}: has a header but no data rows")


def _name(header: str, position: int) -> str:
    """The stripped header, or ``column_N`` for a column without one (R's row names)."""
    header = header.strip()
    return f"column_{position}" if not header or header.startswith("Unnamed: ") else header


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
