"""The campaign report: a self-contained HTML page (Jinja2) and its JSON twin.

Both come from one :class:`~servesell.campaigns.evaluate.CampaignEvaluation`; the headline
table (:func:`headline`) is the same rows in the page, the JSON and ``servesell campaign
report``'s terminal output. Figures that cannot be computed (no hold-out, no surveys) are
``null`` in JSON and "—" in the page, never 0.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from servesell.campaigns.evaluate import CampaignEvaluation
    from servesell.campaigns.stats import Estimate, Sequence95

DASH = "—"


@dataclass(frozen=True, slots=True)
class HeadlineRow:
    """One line of the headline table, formatted."""

    figure: str
    treated: str
    held_out: str
    lift: str
    interval: str
    anytime: str


def headline(ce: CampaignEvaluation) -> list[HeadlineRow]:
    """Customers, conversion and revenue per contact by group, with the lift and intervals."""
    e, cur = ce.evaluation, ce.currency
    rows = [HeadlineRow("customers", f"{e.treated:,}", f"{e.control:,}", DASH, DASH, DASH)]
    rows.append(_rate_row("conversion", e.conversion, e.conversion_sequence))
    if e.cuped_conversion is not None:
        rows.append(_rate_row("conversion, CUPED", e.cuped_conversion, None))
    rows.append(_money_row(f"revenue per contact ({cur})", e.revenue, e.revenue_sequence))
    if e.cuped_revenue is not None:
        rows.append(_money_row(f"revenue per contact, CUPED ({cur})", e.cuped_revenue, None))
    c = e.costs
    interval = f"[{c.incremental_revenue_low:,.0f}, {c.incremental_revenue_high:,.0f}]"
    rows.append(
        HeadlineRow(
            f"incremental revenue ({cur})",
            DASH,
            DASH,
            f"{c.incremental_revenue:,.0f}",
            interval,
            DASH,
        )
    )
    rows.append(
        HeadlineRow(
            f"incremental profit ({cur})", DASH, DASH, f"{c.incremental_profit:,.0f}", DASH, DASH
        )
    )
    roi = DASH if c.roi is None else f"{c.roi:.0%}"
    rows.append(HeadlineRow("ROI (profit / cost)", DASH, DASH, roi, DASH, DASH))
    return rows


def report_json(ce: CampaignEvaluation) -> dict[str, Any]:
    """The JSON twin: the campaign, its window, the headline and every figure."""
    record = ce.record
    return {
        "campaign": _plain(record.campaign.model_dump(mode="json")),
        "state": record.state.value,
        "since": ce.since.isoformat(),
        "until": ce.until.isoformat(),
        "segment_field": ce.segment,
        "currency": ce.currency,
        "headline": [_plain(dataclasses.asdict(r)) for r in headline(ce)],
        "checks": {
            "srm_alarm": ce.evaluation.srm.alarm,
            "service_breaks_target": bool(
                ce.evaluation.service and ce.evaluation.service.breaks_target
            ),
            "guardrails_breached": [g.name for g in ce.evaluation.guardrails if g.breached],
        },
        "evaluation": _plain(dataclasses.asdict(ce.evaluation)),
    }


def report_html(ce: CampaignEvaluation, charts: Sequence[str], *, made_at: dt.datetime) -> str:
    """The HTML page; ``charts`` are the PNG file names beside it (``charts/<stem>.png``)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("servesell.report", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )
    env.filters["pct"] = lambda v, digits=1: DASH if _missing(v) else f"{v:.{digits}%}"
    env.filters["num"] = lambda v, digits=0: DASH if _missing(v) else f"{v:,.{digits}f}"
    env.filters["pp"] = lambda v: DASH if _missing(v) else f"{100 * v:+.1f} pp"
    template = env.get_template("campaign.html")
    return template.render(
        ce=ce,
        e=ce.evaluation,
        campaign=ce.record.campaign,
        rows=headline(ce),
        charts=list(charts),
        made_at=made_at,
    )


def _rate_row(name: str, est: Estimate, seq: Sequence95 | None) -> HeadlineRow:
    return HeadlineRow(
        name,
        _pct(est.treated),
        _pct(est.control),
        _pp(est.estimate),
        f"[{_pp(est.low)}, {_pp(est.high)}]",
        DASH if seq is None else f"[{_pp(seq.low)}, {_pp(seq.high)}]",
    )


def _money_row(name: str, est: Estimate, seq: Sequence95 | None) -> HeadlineRow:
    return HeadlineRow(
        name,
        _money(est.treated),
        _money(est.control),
        _money(est.estimate, signed=True),
        f"[{_money(est.low, signed=True)}, {_money(est.high, signed=True)}]",
        DASH
        if seq is None
        else f"[{_money(seq.low, signed=True)}, {_money(seq.high, signed=True)}]",
    )


def _pct(v: float) -> str:
    return DASH if _missing(v) else f"{v:.1%}"


def _pp(v: float) -> str:
    return DASH if _missing(v) else f"{100 * v:+.1f} pp"


def _money(v: float, *, signed: bool = False) -> str:
    if _missing(v):
        return DASH
    return f"{v:+,.2f}" if signed else f"{v:,.2f}"


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and not math.isfinite(v))


def _plain(value: Any) -> Any:
    """JSON-safe: NaN and infinities as ``null``, enums and dates as strings."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
