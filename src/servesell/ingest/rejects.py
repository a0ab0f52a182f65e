"""Rejected input rows: what, where and why, written to a reject file next to the input."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

REJECT_COLUMNS = ("where", "id", "column", "value", "reason")


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
    """Write ``rejects`` as CSV (UTF-8 with BOM so spreadsheet programs show Chinese)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECT_COLUMNS)
        for r in rejects:
            writer.writerow([r.where, r.id, r.column, _printable(r.value), r.reason])


def _printable(value: str) -> str:
    """Undecodable bytes (kept as surrogates) shown as backslash-x escapes."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
