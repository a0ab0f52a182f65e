"""Realistic CSV files for the batch-learning tests, written by seed."""

from __future__ import annotations

import csv
import math
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

CITIES = ("上海", "北京", "深圳", "Chengdu, Sichuan", "Wuhan")


def write_customers_csv(
    path: Path,
    *,
    rows: int = 600,
    numeric: int = 80,
    seed: int = 0,
    target: str = "Purchase",
    labels: tuple[str, str] = ("Yes", "No"),
    encoding: str = "utf-8",
    delimiter: str = ",",
    base_rate: float = 0.06,
    missing_targets: int = 0,
) -> None:
    """A table like CoIL 2000 "Caravan": many coded numbers, text, gaps, an id, a constant.

    The positive rate is about ``base_rate`` and depends on ``V1``, ``V2``, ``city`` and
    ``income``; the first ``missing_targets`` data rows have an empty target.
    """
    rng = random.Random(seed)
    header = ["customer_id", "city", "segment", "income", "constant", target]
    header[5:5] = [f"V{j + 1}" for j in range(numeric)]
    intercept = math.log(base_rate / (1 - base_rate)) - 0.5
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        for i in range(rows):
            v = [rng.randint(0, 9) for _ in range(numeric)]
            city = rng.choice(CITIES)
            income = None if rng.random() < 0.15 else round(rng.lognormvariate(11, 0.5))
            logit = intercept + 0.35 * (v[0] - 4.5) - 0.25 * (v[1] - 4.5)
            logit += 1.0 * (city == "上海") + (0.5 if income and income > 80_000 else 0.0)
            positive = rng.random() < 1 / (1 + math.exp(-logit))
            label = "" if i < missing_targets else labels[0 if positive else 1]
            cells = [f"ID{i:06d}", city, rng.choice(["mass", "affluent", ""]), income, "x"]
            writer.writerow([*cells, *v, label])
