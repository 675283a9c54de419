"""The programme dashboard of a region: cards with their monthly trend, the drill-down table, aid by source.

Every number comes from `figures` (the same as the map's and the reports'); this module only picks and lays them
out for the page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from berdaya.accounts.models import User
from berdaya.business import charts
from berdaya.lib import formats
from berdaya.lib.scoping import region_contains
from berdaya.regions.models import Region

from . import figures
from .figures import INDICATORS, AidLine, Breakdown, Period, Row, Value

TREND_MONTHS = 12

# The cards: the indicator, the list it links to (with the permission to see that list), and a trend or not.
# Only the cards that tell a story month by month have a trend (figures.trends: every month in the same queries).
CARDS: list[tuple[str, str, str, bool]] = [
    ("kubes", "groups:kube-list", "groups.view_kube", True),
    ("members", "groups:kube-list", "groups.view_kube", True),
    ("households", "", "", False),
    ("aid_budgeted", "", "", False),
    ("aid_approved", "", "", False),
    ("aid_paid", "", "", True),
    ("revenue", "", "", True),
    ("profit", "", "", True),
    ("iks_balance", "", "", False),
    ("fund_outstanding", "", "", False),
    ("trainings", "training:training-list", "training.view_training", False),
    ("members_trained", "training:training-list", "training.view_training", False),
    ("visit_coverage", "", "", True),
    ("reports_on_time_share", "mentoring:report-list", "mentoring.view_monthlyreport", False),
    ("problems_open", "mentoring:problem-list", "mentoring.view_problem", True),
    ("warnings_open", "monitoring:warning-list", "monitoring.view_earlywarning", True),
]
LEVELS = [*figures.LEVEL_CODES.values(), "level_unassessed"]
STATUSES = list(figures.STATUS_CODES.values())
# The columns of the drill-down table.
COLUMNS = [
    "kubes",
    "members",
    "aid_paid",
    "revenue",
    "profit",
    "iks_balance",
    "visit_coverage",
    "reports_on_time_share",
    "problems_open",
    "warnings_open",
]


@dataclass(frozen=True)
class Card:
    code: str
    label: str | Promise
    value: str  # formatted
    url: str
    chart: charts.Chart | None
    note: str | Promise = ""
    exact: str = ""  # a large amount written in full, beside its short form ("Rp 114,4 jt")


@dataclass(frozen=True)
class Page:
    root: Region
    trail: list[Region]
    as_of: dt.date
    period: Period
    cards: list[Card]
    levels: list[tuple[str | Promise, str]]
    statuses: list[tuple[str | Promise, str]]
    columns: list[tuple[str, str | Promise, str]]  # code, label, unit
    breakdown: Breakdown
    table: list[tuple[Row, list[str]]]  # each child's row and its figures as written, in the columns' order
    total: list[str]
    aid: list[AidLine]


def shown(code: str, value: Value) -> str:
    """A figure as the page writes it: Rupiah, a percentage, or a count; "—" for a share of nothing."""
    unit = INDICATORS[code].unit
    if value is None:
        return "—"
    if unit == "rupiah":
        return formats.rupiah(value)
    if unit == "percent":
        return f"{formats.number(value)} %"
    return formats.number(value)


def trail(user: User, root: Region) -> list[Region]:
    """The regions above `root` the user may see, from the top of its scope down (for the breadcrumbs)."""
    scope = user.region_id or root.code
    parts = root.code.split(".")
    codes = [".".join(parts[:i]) for i in range(1, len(parts))]
    return list(Region.objects.filter(code__in=[c for c in codes if region_contains(scope, c)]).order_by("code"))


def dashboard_page(*, user: User, root: Region, as_of: dt.date, period: Period) -> Page:
    data = figures.breakdown(user=user, root=root, as_of=as_of, period=period)
    wanted = [code for code, _url, _perm, with_trend in CARDS if with_trend]
    series = figures.trends(user=user, root=root, codes=wanted, months=TREND_MONTHS, as_of=as_of)
    cards = []
    for code, url_name, permission, _with_trend in CARDS:
        chart = None
        if code in series:
            points = series[code]
            chart = charts.bar_chart([int(p.value or 0) for p in points], [formats.month(p.month) for p in points])
        url = reverse(url_name) if url_name and user.has_perm(permission) else ""
        note = _("in the period") if not INDICATORS[code].stock else _("on the date")
        value, exact = data.total.values[code], shown(code, data.total.values[code])
        short = formats.rupiah_short(value) if INDICATORS[code].unit == "rupiah" and value is not None else exact
        cards.append(Card(code, INDICATORS[code].label, short, url, chart, note, exact if short != exact else ""))
    return Page(
        root=root,
        trail=trail(user, root),
        as_of=as_of,
        period=period,
        cards=cards,
        levels=[(INDICATORS[c].label, shown(c, data.total.values[c])) for c in LEVELS],
        statuses=[(INDICATORS[c].label, shown(c, data.total.values[c])) for c in STATUSES],
        columns=[(c, INDICATORS[c].label, INDICATORS[c].unit) for c in COLUMNS],
        breakdown=data,
        table=[(row, [shown(c, row.values[c]) for c in COLUMNS]) for row in data.rows],
        total=[shown(c, data.total.values[c]) for c in COLUMNS],
        aid=figures.aid_by_source(user=user, root=root, as_of=as_of, period=period),
    )
