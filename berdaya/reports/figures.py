"""The programme's numbers: one source for the dashboard, the map, the reports upward (and later the API).

Every figure is worked out for the groups the user may see (`Kube.objects.visible_to(user)`) inside a region, for
a state on a date (`as_of`) and, for flows (money paid, visits made), a period. `breakdown` gives the figures of
the region's children (the kecamatan of a regency, the villages of a kecamatan, the groups of a village) and their
total: for an additive indicator the total is the sum of the rows, and a parent's row equals its own breakdown's
total (tested). A ratio is never averaged: it is worked out again from its parts at each level.

Contract (other modules build on it; keep the signatures):
  INDICATORS: dict[str, Indicator] in display order; `breakdown(...)` -> Breakdown; `Period`; `Row.values[code]`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from berdaya.accounts.models import User
from berdaya.business.models import AidStage
from berdaya.groups.models import Kube, Membership
from berdaya.lib.scoping import region_q
from berdaya.regions.models import Region

Value = int | Decimal | None


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str | Promise
    unit: str  # "count", "rupiah" or "percent"
    additive: bool = True  # the total is the sum of the rows (a percentage is worked out again from its parts)


@dataclass(frozen=True)
class Period:
    """Inclusive dates of a flow (money paid, visits made); `as_of` caps it."""

    start: dt.date
    end: dt.date

    @classmethod
    def year_to(cls, day: dt.date) -> Period:
        return cls(day.replace(month=1, day=1), day)


INDICATORS: dict[str, Indicator] = {
    indicator.code: indicator
    for indicator in (
        Indicator("kubes", _("KUBE"), "count"),
        Indicator("members", _("Members"), "count"),
        Indicator("aid_paid", _("Aid disbursed"), "rupiah"),
    )
}


@dataclass
class Row:
    key: str  # a region's code, or a group's pk for the rows of a village
    name: str
    drill: str = ""  # the region code to drill into ("" for a group)
    url: str = ""  # a group's page, for the rows of a village
    values: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class Breakdown:
    root: Region
    as_of: dt.date
    period: Period
    rows: list[Row]  # every child region of the root (zeros included), by code; or the village's groups by name
    total: Row
    rows_are_groups: bool


def groups_in(user: User, root: Region) -> QuerySet[Kube]:
    """The groups the user may see inside `root`."""
    return Kube.objects.visible_to(user).filter(region_q("village__code", root.code))


def existing_on(kubes: QuerySet[Kube], as_of: dt.date) -> QuerySet[Kube]:
    """The groups that existed on `as_of`: created by then and not dissolved by then."""
    dissolved = Q(status=Kube.Status.DISSOLVED, status_since__lte=as_of)
    return kubes.filter(created_at__date__lte=as_of).exclude(dissolved)


def _child_key(village_code: str, depth: int) -> str:
    return ".".join(village_code.split(".")[: depth + 1])


def breakdown(*, user: User, root: Region, as_of: dt.date, period: Period) -> Breakdown:
    """The figures of `root`'s children and their total, for what the user may see."""
    depth = len(root.code.split("."))
    rows_are_groups = root.level == Region.Level.VILLAGE
    kubes = existing_on(groups_in(user, root), as_of)
    per_group: dict[int, dict[str, Value]] = defaultdict(dict)
    where: dict[int, tuple[str, str]] = {}
    for pk, name, village in kubes.values_list("pk", "name", "village_id"):
        where[pk] = (name, village)
        per_group[pk]["kubes"] = 1
    members = Membership.objects.filter(kube__in=kubes, joined_on__lte=as_of).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=as_of)
    )
    for pk, n in members.values_list("kube_id").annotate(n=Count("pk")).values_list("kube_id", "n"):
        per_group[pk]["members"] = n
    paid = AidStage.objects.filter(kube__in=kubes, paid_on__gte=period.start, paid_on__lte=min(period.end, as_of))
    for pk, amount in paid.values_list("kube_id").annotate(s=Sum("amount")).values_list("kube_id", "s"):
        per_group[pk]["aid_paid"] = amount

    rows: dict[str, Row] = {}
    if rows_are_groups:
        for pk, (name, _village) in sorted(where.items(), key=lambda item: (item[1][0], item[0])):
            rows[str(pk)] = Row(str(pk), name, url=reverse("groups:kube-detail", args=[pk]))
    else:
        for code, name in Region.objects.filter(parent=root).order_by("code").values_list("code", "name"):
            rows[code] = Row(code, name, drill=code)
    for row in rows.values():
        row.values = dict.fromkeys(INDICATORS, 0)
    total = Row(root.code, root.name, values=dict.fromkeys(INDICATORS, 0))
    for pk, values in per_group.items():
        key = str(pk) if rows_are_groups else _child_key(where[pk][1], depth)
        child = rows.get(key)
        for code, value in values.items():
            if child is not None:
                child.values[code] = (child.values[code] or 0) + (value or 0)
            total.values[code] = (total.values[code] or 0) + (value or 0)
    return Breakdown(root, as_of, period, list(rows.values()), total, rows_are_groups)
