"""CSV text: its encoding and delimiter found, and its records read past broken lines.

**Encoding.** Without a declared encoding, bytes that are UTF-8 are read as UTF-8 (a
byte-order mark is dropped). Bytes that are mostly not UTF-8 and are valid GB18030 (a
superset of GBK and GB2312, what Chinese Excel and core systems export) are read as
GB18030, and the report says so. Anything else is read as UTF-8 with the undecodable
bytes kept (an importer rejects the rows holding them, naming the byte); a reader that
cannot reject rows falls back to Latin-1 when nothing in the file is UTF-8. A declared
non-UTF-8 encoding for bytes that are valid UTF-8 is honoured with a warning showing how
the text will read (mojibake), since such files are almost always UTF-8.

**Records.** A broken record does not end the file. When the CSV grammar fails (a quote
that never closes, text after a closing quote), or a record spanning several lines has
the wrong number of fields or swallows a line that would be a record of its own (a
stray quote paired with a later one), the record's first line is reported as
unreadable and reading resumes on the next line. Fields may be as long as the file
(the csv module's 131,072-character default is raised).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.errors import InputFileError

if TYPE_CHECKING:
    from pathlib import Path

DELIMITERS = (",", ";", "\t", "|")
_QUOTED = re.compile(r'"[^"]*"')
_ESCAPED = re.compile(r"[\udc80-\udcff]")
_NON_ASCII = re.compile(r"[^\x00-\x7f\udc80-\udcff]")


@dataclass(frozen=True, slots=True)
class Decoded:
    """A file's text, the encoding it was read with, and what a user should know about that."""

    text: str
    encoding: str
    notes: tuple[str, ...] = ()


def decode(path: Path, raw: bytes, encoding: str | None, *, lenient: bool) -> Decoded:
    """``raw`` as text (see the module docstring).

    ``lenient`` keeps undecodable bytes as lone surrogates for the caller to
    reject row by row; otherwise a declared encoding that does not fit is an error.
    """
    if encoding is None:
        return _detected(path, raw, lenient=lenient)
    try:
        codec = codecs.lookup(encoding).name
    except (LookupError, ValueError):  # ValueError: a NUL inside the codec name
        raise InputFileError(f"unknown encoding {encoding!r}") from None
    try:
        text = raw.decode(codec, "surrogateescape" if lenient else "strict")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{path}: byte {exc.start} is not valid {encoding}; leave out --encoding to detect it"
        ) from None
    notes = () if codec.startswith("utf") else _mojibake_warning(path, raw, encoding)
    return Decoded(text.removeprefix("\ufeff"), encoding, notes)


def _detected(path: Path, raw: bytes, *, lenient: bool) -> Decoded:
    try:
        return Decoded(raw.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    text = raw.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    undecodable = len(_ESCAPED.findall(text))
    if len(_NON_ASCII.findall(text)) < undecodable:
        try:
            gb = raw.decode("gb18030").removeprefix("\ufeff")
        except UnicodeDecodeError:
            pass
        else:
            return Decoded(gb, "gb18030", (f"{path}: read as GB18030 (the file is not UTF-8)",))
        if not lenient:
            note = f"{path}: read as Latin-1 (the file is neither UTF-8 nor GB18030)"
            return Decoded(raw.decode("latin-1"), "latin-1", (note,))
    if lenient:
        return Decoded(text, "utf-8")
    raise InputFileError(
        f"{path}: byte {first_bad} is not valid utf-8 although the rest of the file is; "
        "fix the file or pass --encoding"
    )


def _mojibake_warning(path: Path, raw: bytes, encoding: str) -> tuple[str, ...]:
    """A warning when bytes read as ``encoding`` are valid UTF-8 with non-ASCII text."""
    if raw.isascii():
        return ()
    try:
        utf8 = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ()
    start = next(i for i, ch in enumerate(utf8) if not ch.isascii())
    end = next((i for i in range(start, len(utf8)) if utf8[i].isascii()), len(utf8))
    sample = utf8[start : min(end, start + 8)]
    garbled = sample.encode("utf-8").decode(encoding, "replace")
    return (
        f"warning: {path} is valid UTF-8 but was read as {encoding}, as asked, so "
        f"{sample!r} reads as {garbled!r}; if that is wrong, run again without --encoding",
    )


def sniff_delimiter(text: str) -> str:
    """The delimiter of ``text``: the commonest of ``, ; tab |`` in its header (outside quotes)."""
    header = _QUOTED.sub("", text.split("\n", 1)[0])
    return max(DELIMITERS, key=header.count)


@dataclass(frozen=True, slots=True)
class Record:
    """One CSV record: the physical lines it spans, its cells, or why it could not be read."""

    first: int
    last: int
    cells: list[str] | None
    problem: str = ""

    @property
    def where(self) -> str:
        """``line N`` or ``lines N-M``."""
        return (
            f"line {self.first}" if self.first == self.last else f"lines {self.first}-{self.last}"
        )


def read_records(path: Path, text: str, delimiter: str) -> tuple[list[str], Iterator[Record]]:
    """The header's cells and an iterator over the data records after it."""
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    lines = _Lines(text)
    try:
        header = next(csv.reader(lines, delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise InputFileError(f"{path}: line 1: malformed header ({exc})") from None
    except StopIteration:
        raise InputFileError(f"{path}: file is empty (expected a header row)") from None
    return header, _records(lines, delimiter, len(header))


def _records(lines: _Lines, delimiter: str, width: int) -> Iterator[Record]:
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    while True:
        first = lines.start()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Record(first, first, None, _unreadable(exc))
        else:
            if lines.number == first or not _swallowed(lines, delimiter, len(cells), width):
                yield Record(first, lines.number, cells)
                continue
            problem = (
                f"a quote on this line opens a field that runs on to line {lines.number}, "
                "over what look like records of their own; they are read on their own"
            )
            yield Record(first, first, None, problem)
        lines.retry_after_first()
        reader = csv.reader(lines, delimiter=delimiter, strict=True)


def _swallowed(lines: _Lines, delimiter: str, found: int, width: int) -> bool:
    """Whether a record over several lines is a stray quote's doing, not a legal field.

    It is when the record has the wrong number of fields, or when a line inside it
    would be a whole record on its own (a quoted newline in an address does not look
    like that; the next customer's line does).
    """
    if found != width:
        return True
    for line in lines.continuation():
        parsed = next(csv.reader([line], delimiter=delimiter), [])
        if len(parsed) == width:
            return True
    return False


def _unreadable(exc: csv.Error) -> str:
    text = str(exc)
    if "unexpected end of data" in text:
        return "a quote opened on this line never closes; the next lines are read on their own"
    return f"malformed CSV ({text}); check the quoting"


class _Lines:
    """The physical lines of CSV text, fed to a csv reader one at a time.

    The lines of the record being read are kept, so that after a broken record the
    lines following its first can be read again as records of their own.
    """

    def __init__(self, text: str) -> None:
        self._source = iter(io.StringIO(text, newline=""))
        self._again: list[str] = []
        self._taken: list[str] = []
        self.number = 0
        """Physical number of the last line handed out (the header is line 1)."""

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._again.pop() if self._again else next(self._source)
        self._taken.append(line)
        self.number += 1
        return line

    def start(self) -> int:
        """Begin a record; the number its first line will have."""
        self._taken = []
        return self.number + 1

    def continuation(self) -> list[str]:
        """The lines of the current record after its first."""
        return self._taken[1:]

    def retry_after_first(self) -> None:
        """Hand out again every line of the current record but its first."""
        rest = self._taken[1:]
        self._again.extend(reversed(rest))
        self.number -= len(rest)
        self._taken = []
