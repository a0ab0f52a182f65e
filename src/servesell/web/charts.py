"""Geometry of the dashboard's bar charts, drawn as inline SVG by the templates (no JS).

>>> chart = column_chart([("09", 0.2, "20%"), ("10", 0.4, "40%")], width=100, height=50)
>>> [(b.label, round(b.height, 1)) for b in chart.bars]
[('09', 4.8), ('10', 9.6)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[str, float, str]
"""``(label, value, value as text)``."""

_TOP = 8.0
_BOTTOM = 18.0
_AXIS = 34.0
_LABEL_WIDTH = 210.0


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: what it shows and where it is drawn."""

    label: str
    value: float
    text: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Tick:
    """A gridline of the value axis at ``y`` (columns) or ``x`` (bars), with its label."""

    at: float
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    """Bars in a ``width`` × ``height`` box; ``baseline`` is where the value axis starts."""

    width: float
    height: float
    bars: tuple[Bar, ...]
    baseline: float
    ticks: tuple[Tick, ...] = ()


def column_chart(
    points: Sequence[Point], *, width: float = 560, height: float = 180, top: float = 1.0
) -> Chart:
    """Vertical bars side by side on a 0..``top`` scale (e.g. conversion by hour of day)."""
    plot = height - _TOP - _BOTTOM
    slot = (width - _AXIS) / max(len(points), 1)

    def y(value: float) -> float:
        return _TOP + plot * (1 - min(value, top) / top)

    bars = tuple(
        Bar(
            label,
            value,
            text,
            x=_AXIS + i * slot + slot * 0.15,
            y=y(value),
            width=slot * 0.7,
            height=plot * min(value, top) / top,
        )
        for i, (label, value, text) in enumerate(points)
    )
    ticks = tuple(Tick(y(top * share), f"{top * share:.0%}") for share in (0.0, 0.5, 1.0))
    return Chart(width, height, bars, baseline=height - _BOTTOM, ticks=ticks)


def bar_chart(
    points: Sequence[Point], *, width: float = 560, row: float = 26, top: float = 1.0
) -> Chart:
    """Horizontal bars on a 0..``top`` scale, one labelled row each (e.g. by offer)."""
    room = width - _LABEL_WIDTH - 90
    bars = tuple(
        Bar(
            label,
            value,
            text,
            x=_LABEL_WIDTH,
            y=i * row + 4,
            width=room * min(value, top) / top,
            height=row - 8,
        )
        for i, (label, value, text) in enumerate(points)
    )
    return Chart(width, max(len(points), 1) * row, bars, baseline=_LABEL_WIDTH)
