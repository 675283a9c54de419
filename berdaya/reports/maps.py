"""The offline map: the figures of `figures.breakdown` drawn over the shipped region outlines, with the groups placed
by the GPS of their latest visit. Reads only; the drawing itself is `berdaya.lib.svgmap`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib import formats, svgmap
from berdaya.mentoring.models import Visit
from berdaya.regions.models import Boundary, Region

from .figures import INDICATORS, Indicator, Period, Row, breakdown, existing_on, groups_in

# A map shows the root's children or grandchildren: one level more than the figures' own breakdown, never the
# thousands of villages of a province at once.
DEPTH = 2


@dataclass(frozen=True)
class TableRow:
    name: str
    url: str  # the region's map, or the group's page
    value: str  # formatted in the indicator's unit
    colour: str  # the region's colour on the map ("" when it is not drawn)


@dataclass(frozen=True)
class RegionMap:
    root: Region
    indicator: Indicator
    level: int  # the level of the regions drawn (that of the root for a village: its groups are the rows)
    table: list[TableRow]  # under the map: the regions drawn (or the village's groups), by code
    total: str
    drawing: svgmap.Drawing
    unmapped: list[Row]  # regions without a shipped outline: in the table, not on the map
    located: int  # groups placed on the map
    unlocated: int  # groups in scope without a usable GPS position


def map_levels(root: Region) -> list[int]:
    """The levels a map of `root` can colour: its children's, and its grandchildren's (a village: itself)."""
    if root.level == Region.Level.VILLAGE:
        return [root.level]
    return list(range(root.level + 1, min(root.level + DEPTH, Region.Level.VILLAGE) + 1))


def value_format(indicator: Indicator) -> Callable[[svgmap.Number], str]:
    if indicator.unit == "rupiah":
        return formats.rupiah
    if indicator.unit == "percent":
        return lambda value: f"{formats.number(value)} %"
    return formats.number


def group_points(*, kubes: QuerySet[Kube]) -> list[svgmap.Point]:
    """Each group at the GPS position of its latest visit that recorded one."""
    latest = Visit.objects.filter(kube=OuterRef("pk"), latitude__isnull=False, longitude__isnull=False).order_by(
        "-visited_on", "-pk"
    )
    located = (
        kubes.annotate(lat=Subquery(latest.values("latitude")[:1]), lon=Subquery(latest.values("longitude")[:1]))
        .filter(lat__isnull=False)
        .select_related("village")
        .order_by("name", "pk")
    )
    return [
        svgmap.Point(
            lon=float(kube.lon),
            lat=float(kube.lat),
            title=f"{kube.name} · {kube.village.name}",
            url=kube.get_absolute_url(),
        )
        for kube in located
    ]


def region_map(
    *, user: User, root: Region, indicator: str, level: int, as_of: dt.date, period: Period, query: str = ""
) -> RegionMap:
    """The choropleth of one indicator over the regions of `root` the user may see, and its groups' positions."""
    shown = INDICATORS[indicator]
    # Only the indicator shown (and its parts) is worked out, at the level drawn, in one breakdown.
    top = breakdown(user=user, root=root, as_of=as_of, period=period, codes=[indicator], level=level)
    rows = top.rows
    is_village = root.level == Region.Level.VILLAGE
    codes = [root.code] if is_village else [row.key for row in rows]
    outlines = dict(Boundary.objects.filter(region_id__in=codes).values_list("region_id", "rings"))
    suffix = f"?{query}" if query else ""
    features: list[svgmap.Feature] = []
    if is_village and root.code in outlines:
        features.append(
            svgmap.Feature(root.code, root.name, json.loads(outlines[root.code]), top.total.values[indicator])
        )
    elif not is_village:
        for row in rows:
            if row.key in outlines:
                url = reverse("reports:map-region", args=[row.drill]) + suffix
                rings = json.loads(outlines[row.key])
                features.append(svgmap.Feature(row.key, row.name, rings, row.values[indicator], url))
    # The same groups as the figures': those the user may see in the region, as they stood on `as_of`.
    kubes = existing_on(groups_in(user, root), as_of)
    fmt = value_format(shown)
    drawing = svgmap.render(
        features,
        group_points(kubes=kubes),
        title=_("%(indicator)s in %(region)s") % {"indicator": shown.label, "region": root.name},
        fmt=fmt,
        no_data=_("none"),
    )
    table = [
        TableRow(
            name=row.name,
            url=row.url or reverse("reports:map-region", args=[row.drill]) + suffix,
            value=fmt(row.values[indicator] or 0),
            colour=svgmap.colour_of(drawing.classes[row.key], len(drawing.legend) - 1)
            if row.key in drawing.classes
            else "",
        )
        for row in rows
    ]
    return RegionMap(
        root=root,
        indicator=shown,
        level=root.level if is_village else level,
        table=table,
        total=fmt(top.total.values[indicator] or 0),
        drawing=drawing,
        unmapped=[] if is_village else [row for row in rows if row.key not in outlines],
        located=drawing.points,
        unlocated=kubes.count() - drawing.points,
    )
