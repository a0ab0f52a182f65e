"""Turn a table's target column into 0/1 labels, saying exactly what was done.

Recognised spellings: ``1/0``, ``yes/no``, ``y/n``, ``true/false``, ``t/f``, ``是/否``,
``positive/negative`` in any case. A column with two other values takes the rarer one
as positive (or ``positive=`` names it). Rows whose target is missing are dropped and
counted. Unknown columns get a did-you-mean; one-class or many-valued targets are refused.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from servesell.errors import DataError

POSITIVE = frozenset({"1", "1.0", "yes", "y", "true", "t", "是", "positive", "pos"})
NEGATIVE = frozenset({"0", "0.0", "no", "n", "false", "f", "否", "negative", "neg"})


@dataclass(frozen=True, slots=True)
class Target:
    """0/1 labels of the rows kept, and how they were read."""

    name: str
    labels: np.ndarray
    kept: np.ndarray
    positive: str
    dropped_missing: int

    @property
    def positives(self) -> int:
        """How many rows are positive."""
        return int(self.labels.sum())

    def describe(self) -> str:
        """One sentence on how the target was read."""
        text = (
            f"target {self.name!r}: {self.positives} positive ({self.positive!r}) of "
            f"{len(self.labels)} rows ({self.positives / len(self.labels):.1%})"
        )
        if self.dropped_missing:
            text += f"; {self.dropped_missing} rows with a missing target were left out"
        return text


def find_column(frame: pd.DataFrame, name: str) -> str:
    """The column called ``name`` (exactly, else ignoring case); did-you-mean otherwise."""
    if name in frame.columns:
        return name
    folded = {str(c).casefold(): str(c) for c in frame.columns}
    if name.casefold() in folded:
        return folded[name.casefold()]
    close = difflib.get_close_matches(name, [str(c) for c in frame.columns], n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    shown = ", ".join(repr(str(c)) for c in list(frame.columns)[:8])
    more = ", ..." if len(frame.columns) > 8 else ""
    raise DataError(f"no column {name!r}{hint} (columns: {shown}{more})", column=name)


def read_target(frame: pd.DataFrame, name: str, *, positive: str | None = None) -> Target:
    """The 0/1 target in column ``name`` of ``frame``; see the module docstring."""
    column = find_column(frame, name)
    text = frame[column].astype("string").str.strip()
    present = text.notna().to_numpy()
    values = text[present]
    if values.empty:
        raise DataError(f"target {column!r} has no values", column=column)
    labels, chosen = _labels(values, column, positive)
    return Target(column, labels, present, chosen, int((~present).sum()))


def _labels(values: pd.Series, column: str, positive: str | None) -> tuple[np.ndarray, str]:
    folded = values.str.casefold()
    distinct = sorted(set(folded))
    if positive is not None:
        if positive.casefold() not in distinct:
            raise DataError(
                f"target {column!r} has no value {positive!r} (values: {_list(distinct)})",
                column=column,
            )
        chosen = positive.casefold()
    elif set(distinct) <= POSITIVE | NEGATIVE:
        chosen = next((v for v in distinct if v in POSITIVE), distinct[0])
        if not any(v in POSITIVE for v in distinct) or not any(v in NEGATIVE for v in distinct):
            raise _one_class(column, distinct)
    elif len(distinct) == 2:
        counts = folded.value_counts()
        chosen = str(min(distinct, key=lambda v: (counts[v], v)))
    else:
        raise _many_values(column, distinct)
    labels = folded.isin(POSITIVE) if positive is None and chosen in POSITIVE else folded == chosen
    out = labels.to_numpy(dtype=np.int8)
    if out.min() == out.max():
        raise _one_class(column, distinct)
    original = values[folded == chosen].iloc[0] if (folded == chosen).any() else chosen
    return out, str(original)


def _one_class(column: str, distinct: list[str]) -> DataError:
    return DataError(
        f"target {column!r} has a single class ({_list(distinct)}); a model needs both "
        "positive and negative rows",
        column=column,
    )


def _many_values(column: str, distinct: list[str]) -> DataError:
    return DataError(
        f"target {column!r} has {len(distinct)} different values ({_list(distinct)}); "
        "expected two, such as 1/0 or Yes/No (name the positive one with --positive)",
        column=column,
    )


def _list(values: list[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:6])
    return shown + (", ..." if len(values) > 6 else "")
