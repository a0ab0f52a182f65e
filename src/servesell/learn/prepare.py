"""Decide what each column of an unknown table is, and turn it into model input.

A column is *numeric* when nearly all its values read as numbers, a *date* when they read
as ISO dates (used as days since 1970), otherwise *categorical* (the most frequent
:data:`MAX_LEVELS` values, the rest ``<other>``, missing as ``<missing>``). Columns that
cannot help are dropped, each with its reason: constant or empty, and id-like (every
value different, or an integer key named like an id). The plan is fitted on training
rows only and applied unchanged to test rows and to live customers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from servesell.errors import DataError

MAX_LEVELS = 100
NUMERIC_SHARE = 0.95
MISSING = "<missing>"
OTHER = "<other>"
_ID_NAME = re.compile(r"(^|[_\s.-])(id|uuid|guid|key|no|nr|index|row|rownum)$|[a-z]Id$|ID$", re.I)
_ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}([ T].*)?$")


@dataclass(slots=True)
class Preparation:
    """The fitted plan: which columns are used as what, and which were dropped and why."""

    numeric: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    categories: dict[str, list[str]] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)

    @property
    def categorical(self) -> list[str]:
        """Categorical columns, in table order."""
        return list(self.categories)

    @property
    def used(self) -> list[str]:
        """Every column the model sees."""
        return [*self.numeric, *self.dates, *self.categorical]

    @classmethod
    def fit(cls, frame: pd.DataFrame) -> Preparation:
        """Plan the columns of ``frame`` (text cells, the target already removed)."""
        plan = cls()
        for name in frame.columns:
            plan._add(str(name), frame[name])
        if not plan.used:
            reasons = "; ".join(f"{k}: {v}" for k, v in list(plan.dropped.items())[:5])
            raise DataError(f"no usable predictor columns ({reasons})")
        return plan

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Model input: floats for numbers and dates, fixed-level text for categories."""
        out: dict[str, pd.Series] = {}
        for name in self.numeric:
            out[name] = _numbers(_column(frame, name))
        for name in self.dates:
            out[name] = _days(_column(frame, name))
        for name, levels in self.categories.items():
            text = _column(frame, name).astype("string").str.strip().fillna(MISSING)
            known = text.isin(levels)
            out[name] = text.where(known, OTHER).astype(object)
        return pd.DataFrame(out, index=frame.index)

    def describe(self) -> list[str]:
        """Lines saying how the columns were used."""
        lines = [
            f"{len(self.used)} predictors: {len(self.numeric)} numeric, "
            f"{len(self.categories)} categorical, {len(self.dates)} date"
        ]
        lines += [f"dropped {name!r}: {why}" for name, why in self.dropped.items()]
        return lines

    def _add(self, name: str, column: pd.Series) -> None:
        text = column.astype("string").str.strip()
        present = text.dropna()
        present = present[present != ""]
        if present.nunique() <= 1:
            self.dropped[name] = "empty" if present.empty else "constant"
            return
        numbers = _numbers(present)
        if numbers.notna().mean() >= NUMERIC_SHARE:
            if _is_integer_key(name, numbers):
                self.dropped[name] = "id-like (a distinct integer in every row)"
            else:
                self.numeric.append(name)
            return
        if present.map(lambda v: bool(_ISO_DATE.match(v))).mean() >= NUMERIC_SHARE:
            self.dates.append(name)
            return
        if present.nunique() >= 0.95 * len(present) and len(present) > 20:
            self.dropped[name] = "id-like (a different value in nearly every row)"
            return
        counts = present.value_counts()
        self.categories[name] = [str(v) for v in counts.index[:MAX_LEVELS]] + [MISSING]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _numbers(text: pd.Series) -> pd.Series:
    cleaned = text.astype("string").str.strip().str.replace(r"(?<=\d),(?=\d{3}\b)", "", regex=True)
    numbers = pd.to_numeric(cleaned, errors="coerce").astype(float)
    return numbers.where(np.isfinite(numbers))


def _days(text: pd.Series) -> pd.Series:
    cleaned = text.astype("string").str.strip().str.slice(0, 10).str.replace("/", "-")
    stamps = pd.to_datetime(cleaned, errors="coerce", format="ISO8601")
    epoch = pd.Timestamp("1970-01-01")
    return ((stamps - epoch) / pd.Timedelta(days=1)).astype(float)


def _is_integer_key(name: str, numbers: pd.Series) -> bool:
    values = numbers.dropna()
    if values.empty or not (values == values.round()).all() or values.nunique() < len(values):
        return False
    ordered = np.sort(values.to_numpy())
    consecutive = len(ordered) > 20 and bool((np.diff(ordered) == 1).all())
    return consecutive or bool(_ID_NAME.search(name))
