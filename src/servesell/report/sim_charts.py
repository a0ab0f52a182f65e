"""The twin's frontier charts as PNG bytes (matplotlib, Agg backend, imported lazily).

The command line writes them; nothing here touches a file.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from servesell.sim.frontier import FrontierPoint

_MARKERS = (
    ("threshold", "o"),
    ("gated", "*"),
    ("steered", "P"),
    ("valued", "X"),
    ("always", "s"),
    ("never", "D"),
)


def frontier_png(points: Sequence[FrontierPoint], *, target_level: float, title: str) -> bytes:
    """Revenue (in calls and by message) against service level, one marker per policy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    for family, marker in _MARKERS:
        chosen = [p for p in points if p.policy.startswith(family)]
        ax.scatter(
            [p.service_level for p in chosen],
            [p.revenue + p.digital_revenue for p in chosen],
            marker=marker,
            s=160 if family in ("gated", "steered", "valued") else 40,
            label=family,
        )
    ax.axvline(target_level, color="grey", linestyle="--", label=f"target {target_level:.0%}")
    ax.set_xlabel("service level (answered within target / offered to agents)")
    ax.set_ylabel("cross-sell revenue (calls + messages)")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()
