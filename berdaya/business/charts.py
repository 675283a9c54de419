"""Small server-rendered SVG charts: the selector gives coordinates, the template draws them. No JavaScript.

Coordinates are whole pixels computed with integer arithmetic, so money never passes through a float.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 180
PAD_LEFT = 8
PAD_BOTTOM = 20


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    value: int
    label: str
    negative: bool


@dataclass(frozen=True)
class Line:
    points: str  # "x,y x,y ..." for <polyline>
    name: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: int  # y of the zero line
    bars: tuple[Bar, ...] = ()
    lines: tuple[Line, ...] = ()
    labels: tuple[tuple[int, str], ...] = ()  # x, text under the axis
    top: int = 0  # the value at the top of the drawing area


def _scale(values: Sequence[int]) -> tuple[int, int, int]:
    """The highest and lowest value shown, and the y of zero."""
    top = max([0, *values])
    bottom = min([0, *values])
    span = (top - bottom) or 1
    area = HEIGHT - PAD_BOTTOM
    baseline = top * area // span
    return top, span, baseline


def _y(value: int, top: int, span: int) -> int:
    return (top - value) * (HEIGHT - PAD_BOTTOM) // span


def _labels(labels: Sequence[str], step: int, offset: int) -> tuple[tuple[int, str], ...]:
    every = max(1, len(labels) // 12)
    return tuple((PAD_LEFT + i * step + offset, text) for i, text in enumerate(labels) if i % every == 0)


def bar_chart(values: Sequence[int], labels: Sequence[str]) -> Chart:
    """One bar per value (negative bars hang below the zero line)."""
    if not values:
        return Chart(WIDTH, HEIGHT, HEIGHT - PAD_BOTTOM)
    top, span, baseline = _scale(values)
    step = (WIDTH - PAD_LEFT) // len(values)
    width = max(1, step * 3 // 4)
    bars = []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        y = _y(value, top, span)
        bars.append(
            Bar(
                x=PAD_LEFT + i * step,
                y=min(y, baseline),
                width=width,
                height=max(1, abs(baseline - y)),
                value=value,
                label=label,
                negative=value < 0,
            )
        )
    return Chart(WIDTH, HEIGHT, baseline, bars=tuple(bars), labels=_labels(labels, step, width // 2), top=top)


def line_chart(series: Sequence[tuple[str, Sequence[int]]], labels: Sequence[str]) -> Chart:
    """One line per named series over the same labels."""
    values = [v for _, points in series for v in points]
    if not values or not labels:
        return Chart(WIDTH, HEIGHT, HEIGHT - PAD_BOTTOM)
    top, span, baseline = _scale(values)
    step = (WIDTH - PAD_LEFT) // max(1, len(labels) - 1) if len(labels) > 1 else 0
    lines = tuple(
        Line(
            points=" ".join(f"{PAD_LEFT + i * step},{_y(v, top, span)}" for i, v in enumerate(points)),
            name=name,
            values=tuple(points),
        )
        for name, points in series
    )
    return Chart(WIDTH, HEIGHT, baseline, lines=lines, labels=_labels(labels, step, 0), top=top)
