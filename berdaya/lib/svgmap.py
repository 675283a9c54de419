"""A choropleth map as an SVG string, drawn on the server from region outlines: no tiles, no JavaScript.

Pure functions over plain data (no models), so that the map renders with the network off and is tested without a
database. The projection is equirectangular with longitude scaled by the cosine of the middle latitude, which keeps
shapes true enough at a regency's size (Indonesia lies near the equator, where the factor is close to 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

Number = int | float | Decimal
Ring = Sequence[Sequence[float]]  # [[longitude, latitude], ...]

WIDTH = 600  # the drawing's largest side in viewBox units; the page scales it to the screen
PAD = 8
CLASSES = 5
# ColorBrewer's 5-class "YlGnBu" (sequential, readable by most colour-blind readers, prints in grey); class 0 is
# a zero or a region without data.
COLOURS = ("#e6e6e6", "#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
POINT_RADIUS = 5


@dataclass(frozen=True)
class Feature:
    """One region to draw: its outline, its value (None: no data) and where a click on it goes."""

    code: str
    name: str
    rings: Sequence[Ring]
    value: Number | None = None
    url: str = ""


@dataclass(frozen=True)
class Point:
    """A place (a group located by its latest visit's GPS)."""

    lon: float
    lat: float
    title: str
    url: str = ""


@dataclass(frozen=True)
class Projection:
    """Degrees to viewBox units: x grows east, y grows south."""

    min_lon: float
    max_lat: float
    scale_x: float  # units per degree of longitude (the latitude's scale times the cosine)
    scale_y: float
    width: float
    height: float

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (PAD + (lon - self.min_lon) * self.scale_x, PAD + (self.max_lat - lat) * self.scale_y)

    def contains(self, lon: float, lat: float) -> bool:
        x, y = self(lon, lat)
        return 0 <= x <= self.width and 0 <= y <= self.height


def fit(min_lon: float, min_lat: float, max_lon: float, max_lat: float, size: int = WIDTH) -> Projection:
    """The projection that fits the box into `size` units on its longer side, with a small margin."""
    cos = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * cos, 1e-9)
    span_y = max(max_lat - min_lat, 1e-9)
    scale = (size - 2 * PAD) / max(span_x, span_y)
    return Projection(
        min_lon=min_lon,
        max_lat=max_lat,
        scale_x=scale * cos,
        scale_y=scale,
        width=round(span_x * scale + 2 * PAD, 1),
        height=round(span_y * scale + 2 * PAD, 1),
    )


def bounds(features: Sequence[Feature]) -> tuple[float, float, float, float] | None:
    """min lon, min lat, max lon, max lat of every feature's rings (None when there is nothing to draw)."""
    lons = [point[0] for feature in features for ring in feature.rings for point in ring]
    lats = [point[1] for feature in features for ring in feature.rings for point in ring]
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)


def simplify(points: Sequence[tuple[float, float]], tolerance: float = 1.0) -> list[tuple[float, float]]:
    """Drop each point closer than `tolerance` units to the last point kept (the first is always kept)."""
    kept: list[tuple[float, float]] = []
    for x, y in points:
        if not kept or math.hypot(x - kept[-1][0], y - kept[-1][1]) >= tolerance:
            kept.append((x, y))
    return kept


def path_data(rings: Sequence[Ring], projection: Projection) -> str:
    """An SVG path for the rings, projected and simplified; a region too small to keep a ring keeps its largest."""
    projected = [[projection(float(point[0]), float(point[1])) for point in ring] for ring in rings]
    parts = []
    for points in projected:
        kept = simplify(points)
        if len(kept) >= 3:
            parts.append(_ring(kept))
    if not parts and projected:
        # Smaller than a pixel at this scale: still draw it, so that every region can be clicked and counted.
        parts.append(_ring(max(projected, key=len)))
    return "".join(parts)


def _ring(points: Sequence[tuple[float, float]]) -> str:
    return "M" + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z"


@dataclass(frozen=True)
class Classes:
    """Upper bounds of the classes 1..n (ascending); class 0 is zero or no data."""

    breaks: tuple[Number, ...]

    def of(self, value: Number | None) -> int:
        if value is None or value <= 0:
            return 0
        for index, upper in enumerate(self.breaks, start=1):
            if value <= upper:
                return index
        return len(self.breaks)


def quantile_classes(values: Sequence[Number | None], n: int = CLASSES) -> Classes:
    """Up to `n` classes holding about as many regions each (quantiles of the positive values, repeats merged)."""
    positive = sorted(value for value in values if value is not None and value > 0)
    if not positive:
        return Classes(())
    breaks: list[Number] = []
    for i in range(1, n + 1):
        upper = positive[math.ceil(i * len(positive) / n) - 1]
        if not breaks or upper > breaks[-1]:
            breaks.append(upper)
    return Classes(tuple(breaks))


@dataclass(frozen=True)
class LegendEntry:
    klass: int
    colour: str
    label: str


def legend(classes: Classes, fmt: Callable[[Number], str], *, none_label: str) -> list[LegendEntry]:
    """One entry per class with its range (whole numbers start above the previous bound); zero or no data first."""
    entries = [LegendEntry(0, COLOURS[0], none_label)]
    previous: Number = 0
    for index, upper in enumerate(classes.breaks, start=1):
        lower = previous + 1 if isinstance(previous, int) and isinstance(upper, int) else previous
        label = fmt(upper) if lower == upper else f"{fmt(lower)} – {fmt(upper)}"
        entries.append(LegendEntry(index, colour_of(index, len(classes.breaks)), label))
        previous = upper
    return entries


def colour_of(klass: int, count: int) -> str:
    """The colour of a class among `count` classes: fewer classes take the darker end of the ramp, so that even the
    lowest stands out from the grey of zero."""
    if klass == 0 or count == 0:
        return COLOURS[0]
    return COLOURS[CLASSES - count + klass]


@dataclass(frozen=True)
class Drawing:
    svg: str
    legend: list[LegendEntry]
    classes: dict[str, int]  # each feature's class by code (the table under the map shows the same colours)
    points: int  # points drawn (those outside the map's box are left out: a wrong GPS must not shrink the map)


def render(
    features: Sequence[Feature],
    points: Sequence[Point] = (),
    *,
    title: str,
    fmt: Callable[[Number], str] = str,
    no_data: str = "0",
    size: int = WIDTH,
) -> Drawing:
    """The choropleth: a path per feature (a link with a tooltip), the points on top, and its legend."""
    box = bounds(features)
    classes = quantile_classes([feature.value for feature in features])
    entries = legend(classes, fmt, none_label=no_data)
    if box is None:
        return Drawing("", entries, {}, 0)
    projection = fit(*box, size=size)
    count = len(classes.breaks)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {projection.width:g} {projection.height:g}" '
        f'class="choropleth" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        '<g class="regions" fill-rule="evenodd" stroke="#555" stroke-width="0.6" stroke-linejoin="round">',
    ]
    drawn: dict[str, int] = {}
    for feature in features:
        klass = drawn[feature.code] = classes.of(feature.value)
        value = no_data if feature.value is None else fmt(feature.value)
        shape = (
            f'<path class="region c{klass}" data-code="{escape(feature.code)}" fill="{colour_of(klass, count)}" '
            f'd="{path_data(feature.rings, projection)}"><title>{escape(feature.name)}: {escape(value)}</title></path>'
        )
        out.append(f'<a href="{escape(feature.url)}">{shape}</a>' if feature.url else shape)
    out.append("</g>")
    inside = [point for point in points if projection.contains(point.lon, point.lat)]
    if inside:
        out.append('<g class="points" fill="#d7301f" stroke="#fff" stroke-width="1.5">')
        for point in inside:
            x, y = projection(point.lon, point.lat)
            dot = (
                f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="{POINT_RADIUS}">'
                f"<title>{escape(point.title)}</title></circle>"
            )
            out.append(f'<a href="{escape(point.url)}">{dot}</a>' if point.url else dot)
        out.append("</g>")
    out.append("</svg>")
    return Drawing("".join(out), entries, drawn, len(inside))
