"""The campaign report's charts as PNG bytes (matplotlib, Agg backend, imported lazily)."""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from servesell.campaigns.evaluate import CampaignEvaluation, Evaluation

CHARTS = ("lift", "arms", "segments", "money", "service")
"""File stems of the charts, in the order the report shows them."""


def campaign_charts(ce: CampaignEvaluation) -> dict[str, bytes]:
    """Every chart of the report, by file stem (``service`` only when it was computed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    e = ce.evaluation
    out = {
        "lift": _png(plt, _lift, e),
        "arms": _png(plt, _arms, e),
        "segments": _png(plt, _segments, e),
        "money": _png(plt, _money, e),
    }
    if e.service is not None:
        out["service"] = _png(plt, _service, e)
    return out


def _png(plt: Any, draw: Any, e: Evaluation) -> bytes:
    fig, ax = plt.subplots(figsize=(7.5, 3.6), dpi=100)
    draw(ax, e)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def _lift(ax: Any, e: Evaluation) -> None:
    """Conversion lift: fixed 95%, anytime-valid and CUPED intervals side by side."""
    rows = [("95% (Newcombe)", e.conversion.estimate, e.conversion.low, e.conversion.high)]
    seq = e.conversion_sequence
    rows.append(("anytime-valid 95%", seq.estimate, seq.low, seq.high))
    if e.cuped_conversion is not None:
        c = e.cuped_conversion
        rows.append(("CUPED 95%", c.estimate, c.low, c.high))
    _intervals(ax, rows, scale=100.0)
    ax.set_xlabel("conversion lift, percentage points (treated − held out)")
    ax.set_title("Lift in conversion against the hold-out")


def _arms(ax: Any, e: Evaluation) -> None:
    """Conversion of each group."""
    rates = [e.conversion.treated, e.conversion.control]
    labels = [f"treated (n={e.treated})", f"held out (n={e.control})"]
    bars = ax.barh(
        labels, [0 if math.isnan(r) else 100 * r for r in rates], color=["#2f6fbf", "#999"]
    )
    ax.bar_label(bars, labels=[f"{r:.1%}" if not math.isnan(r) else "—" for r in rates], padding=3)
    ax.set_xlabel("converted, % of customers")
    ax.set_title("Conversion by group (campaign offers on any channel, or bought)")


def _segments(ax: Any, e: Evaluation) -> None:
    """Lift per segment; Benjamini–Hochberg discoveries in a darker colour."""
    rows = [(s.segment, s.lift.estimate, s.lift.low, s.lift.high) for s in e.segments]
    colours = ["#1f4e8c" if s.discovered else "#8aa9d6" for s in e.segments]
    _intervals(ax, rows, scale=100.0, colours=colours)
    ax.set_xlabel("conversion lift, percentage points (dark: discovery at FDR 5%)")
    ax.set_title("Uplift by segment")


def _money(ax: Any, e: Evaluation) -> None:
    """Incremental revenue, each cost, and what is left."""
    c = e.costs
    parts = [
        ("incremental revenue", c.incremental_revenue),
        ("piece rates", -c.piece_rate_cost),
        ("talk time", -c.talk_cost),
        ("messages", -c.message_cost),
        ("incremental profit", c.incremental_profit),
    ]
    colours = ["#2f8f4e" if v >= 0 else "#c0392b" for _, v in parts]
    bars = ax.bar([p for p, _ in parts], [v for _, v in parts], color=colours)
    ax.bar_label(
        bars, labels=[f"{v if abs(v) >= 0.5 else 0:,.0f}" for _, v in parts], padding=2, fontsize=8
    )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_title("Cost–benefit of the treated group")
    ax.tick_params(axis="x", labelsize=8)


def _service(ax: Any, e: Evaluation) -> None:
    """Peak-hour service level without and with the campaign's talk time."""
    s = e.service
    assert s is not None
    values = [100 * s.service_level_without, 100 * s.service_level_with]
    bars = ax.bar(
        ["without campaign talk", "with campaign talk"], values, color=["#999", "#2f6fbf"]
    )
    ax.bar_label(bars, labels=[f"{v:.1f}%" for v in values], padding=2)
    ax.axhline(100 * s.target_level, color="#c0392b", linestyle="--", label="target")
    ax.set_ylim(0, 105)
    ax.set_ylabel(f"answered within {s.target_seconds:g} s, %")
    ax.set_title(f"Service level at the peak ({s.calls_per_hour:g} calls/h, {s.agents} agents)")
    ax.legend(loc="lower right")


def _intervals(
    ax: Any,
    rows: list[tuple[str, float, float, float]],
    *,
    scale: float,
    colours: list[str] | None = None,
) -> None:
    for i, (_, est, low, high) in enumerate(rows):
        if any(math.isnan(v) for v in (est, low, high)):
            continue
        colour = colours[i] if colours else "#2f6fbf"
        ax.errorbar(
            scale * est,
            i,
            xerr=[[scale * (est - low)], [scale * (high - est)]],
            fmt="o",
            color=colour,
            capsize=4,
        )
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.invert_yaxis()
