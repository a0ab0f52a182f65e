"""Write a sweep's frontier as CSV and as a PNG chart (matplotlib, Agg backend)."""

from __future__ import annotations

import csv
from dataclasses import asdict, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from servesell.sim.frontier import FrontierPoint


def write_csv(points: Sequence[FrontierPoint], path: Path) -> None:
    """One row per policy, columns as :class:`~servesell.sim.frontier.FrontierPoint`."""
    from servesell.sim.frontier import FrontierPoint

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=[f.name for f in fields(FrontierPoint)])
        writer.writeheader()
        writer.writerows(asdict(p) for p in points)


def write_png(points: Sequence[FrontierPoint], path: Path, *, target_level: float) -> None:
    """Revenue against service level, one marker per policy, the target as a line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    for family, marker in (("threshold", "o"), ("gated", "*"), ("always", "s"), ("never", "D")):
        chosen = [p for p in points if p.policy.startswith(family)]
        ax.scatter(
            [p.service_level for p in chosen],
            [p.revenue for p in chosen],
            marker=marker,
            s=160 if family == "gated" else 40,
            label=family,
        )
    ax.axvline(target_level, color="grey", linestyle="--", label=f"target {target_level:.0%}")
    ax.set_xlabel("service level (answered within target / offered)")
    ax.set_ylabel("cross-sell revenue")
    ax.set_title("Revenue vs service level by load-gate policy")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
