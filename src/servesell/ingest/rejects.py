"""Rejected input rows: what, where and why, written to a reject file next to the input."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

REJECT_COLUMNS = ("where", "id", "column", "value", "reason")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA = ("=", "+", "-", "@")
_NUMBER = re.compile(r"^[+-]?[0-9][0-9.,]*$")


@dataclass(frozen=True, slots=True)
class Reject:
    """One reason one input row was not accepted."""

    where: str
    reason: str
    column: str = ""
    value: str = ""
    id: str = ""

    def __str__(self) -> str:
        column = f", column {self.column!r}" if self.column else ""
        return f"{self.where}{column}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The result of one import: rows accepted and every reason for a rejected row."""

    source: str
    accepted: int
    rejected_rows: int
    rejects: tuple[Reject, ...]
    notes: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """One line for the terminal."""
        line = f"{self.source}: {self.accepted} accepted, {self.rejected_rows} rejected"
        if self.accepted == 0 and self.rejected_rows == 0:
            line += " (no data rows)"
        return line


def default_reject_path(source: Path) -> Path:
    """``customers.csv`` -> ``customers.csv.rejects.csv`` beside it."""
    return source.with_name(source.name + ".rejects.csv")


def write_rejects(path: Path, rejects: Sequence[Reject]) -> None:
    """Write ``rejects`` as CSV (UTF-8 with BOM so spreadsheet programs show Chinese).

    Rejected values are shown so a user can see what was wrong, but defused: bytes that
    are not text as escapes, NUL and other control characters as escapes, and a value a
    spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) behind a ``'``.
    """
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECT_COLUMNS)
        for r in rejects:
            writer.writerow([r.where, _shown(r.id), r.column, _shown(r.value), r.reason])


def _shown(value: str) -> str:
    """``value`` safe to open in a spreadsheet program (see :func:`write_rejects`)."""
    text = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    if text[:1] in _FORMULA and not _NUMBER.match(text):
        text = "'" + text
    return text
