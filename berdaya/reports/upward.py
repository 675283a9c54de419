"""Reports upward: what the Dinas sends the province and the ministry, as PDF (on its letterhead) and XLSX.

Four reports, each for a region, a period and an "as of" date, with the dashboard's numbers (every figure the
dashboard also shows comes from `figures.breakdown`, for the same user, region, date and period; tested):

- the programme report (quarterly or annual: the period says which): summary, per kecamatan, groups formed per
  cycle, aid by source, levels and the movement between them, the four-effort scorecard, problems, facilitators'
  work;
- the minimum service standard (SPM) indicator: poor households empowered through KUBE, per kecamatan;
- the recap per kecamatan: every dashboard indicator, one row per child region and the total;
- the full group list: every KUBE in scope that existed on the date.

A report is built as `Report` (sections of typed columns), then written as XLSX (one sheet per section, numbers as
numbers) or PDF (the SK's letterhead, landscape where a table is wide). docs/reports.md "Reports upward" says how
each figure is worked out.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from berdaya.accounts.models import User
from berdaya.groups.models import Kube, Membership
from berdaya.lib.errors import DomainError
from berdaya.lib.exports import safe_cell
from berdaya.lib.formats import day, number, rupiah
from berdaya.lib.months import month_end, month_start
from berdaya.lib.scoping import regency_code, region_q
from berdaya.mentoring.models import Problem
from berdaya.monitoring.models import Bina, Level, LevelSnapshot
from berdaya.regions.models import Region
from berdaya.registry.models import Household
from berdaya.targeting.documents import logo_url, render_pdf  # the SK's own printing: one letterhead
from berdaya.targeting.models import Cycle
from berdaya.targeting.selectors import letterhead_of

from . import figures
from .figures import INDICATORS, LEVEL_CODES, STATUS_CODES, Period, breakdown, existing_on, groups_in
from .models import ReportRequest
from .supervision import Months, export_header, export_row, supervision

logger = logging.getLogger(__name__)

# A report of more groups than this is made by the task worker, with a progress bar; a smaller one at once.
INLINE_MAX_GROUPS = 200
# "Poor" for the SPM indicator: a household of the registry in welfare decile 1 to this (the programme's own
# eligibility cut-off, `Cycle.decile_max`, defaults to 4: DTKS/P3KE's poor and near-poor).
POOR_DECILE_MAX = 4
DOCUMENT_LANGUAGE = "id"  # an official document of the Dinas, like the SK
# The roles that send reports upward: the Dinas (the Pemantau reads, and a report is a reading) and the kecamatan
# operator (its kecamatan's report). A village is too small a unit to report on; a facilitator has its own pages.
REPORTING_ROLES = frozenset({User.Role.ADMIN, User.Role.OFFICER, User.Role.MONITOR, User.Role.KECAMATAN_OPERATOR})


def may_report(user: User) -> bool:
    """Whether the user may ask for reports upward at all (scope then says which regions)."""
    return user.has_perm("groups.view_kube") and user.role in REPORTING_ROLES


# The per-kecamatan table of the programme report: the dashboard's headline indicators.
KEY_CODES = (
    "kubes",
    "members",
    "households",
    "level_tumbuh",
    "level_berkembang",
    "level_mandiri",
    "aid_paid",
    "revenue",
    "visit_coverage",
    "reports_on_time_share",
    "problems_open",
    "warnings_open",
)
LEVEL_ORDER = (Level.NONE, Level.TUMBUH, Level.BERKEMBANG, Level.MANDIRI)
UNASSESSED = -1

Cell = int | Decimal | str | dt.date | None
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Column:
    label: str
    unit: str = "text"  # text, count, rupiah, percent, decimal, date


@dataclass
class Section:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    note: str = ""
    # For a column of unit "mixed" (the summary's values): the unit of each row.
    row_units: list[str] = field(default_factory=list)

    def unit(self, column: Column, row: int) -> str:
        """The unit of a cell: its column's, or its row's in a "mixed" column (the total: a count)."""
        if column.unit != "mixed":
            return column.unit
        return self.row_units[row] if row < len(self.row_units) else "count"

    @property
    def wide(self) -> bool:
        """Printed on a landscape page."""
        return len(self.columns) > 7


@dataclass
class Report:
    kind: str
    title: str
    region: Region
    period: Period
    as_of: dt.date
    sections: list[Section] = field(default_factory=list)


def _no_progress(_percent: int) -> None:
    return None


def indicator_column(code: str) -> Column:
    indicator = INDICATORS[code]
    label = str(indicator.label) + (" (%)" if indicator.unit == "percent" else "")
    return Column(label, indicator.unit)


def period_name(period: Period) -> str:
    """ "Triwulan II 2027", "Tahun 2027" or the two dates: what the title of the report calls its period."""
    start, end = period.start, period.end
    if start.day == 1 and start.month == 1 and end == dt.date(start.year, 12, 31):
        return _("Year %(year)s") % {"year": start.year}
    if start.day == 1 and start.month in (1, 4, 7, 10) and end == month_end(start.replace(month=start.month + 2)):
        quarter = ("I", "II", "III", "IV")[(start.month - 1) // 3]
        return _("Quarter %(quarter)s %(year)s") % {"quarter": quarter, "year": start.year}
    return f"{day(start)} – {day(end)}"


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _child_names(root: Region) -> dict[str, str]:
    return dict(Region.objects.filter(parent=root).order_by("code").values_list("code", "name"))


def _child_of(root: Region, code: str) -> str:
    return ".".join(code.split(".")[: len(root.code.split(".")) + 1])


def children_title(root: Region) -> str:
    """What the rows of a breakdown of `root` are: the regencies of a province, the kecamatan of a regency ..."""
    if root.level == Region.Level.PROVINCE:
        return _("Per regency")
    if root.level == Region.Level.REGENCY:
        return _("Per kecamatan")
    return _("Per village")


# The programme report -----------------------------------------------------------------------------------------


def _summary(table: figures.Breakdown) -> Section:
    rows: list[list[Cell]] = [[indicator_column(code).label, table.total.values[code]] for code in INDICATORS]
    return Section(
        "summary",
        _("Summary"),
        [Column(_("Indicator")), Column(_("Value"), "mixed")],
        rows,
        note=_("Stocks as of the date; flows (aid disbursed, revenue, visits, trainings, reports) over the period."),
        row_units=[INDICATORS[code].unit for code in INDICATORS],
    )


def _per_child(table: figures.Breakdown, codes: tuple[str, ...] | list[str], key: str, title: str) -> Section:
    columns = [Column(_("Region")), *(indicator_column(code) for code in codes)]
    rows: list[list[Cell]] = [[row.name, *(row.values[code] for code in codes)] for row in table.rows]
    total: list[Cell] = [_("Total"), *(table.total.values[code] for code in codes)]
    return Section(key, title, columns, rows, total)


def _cycles(kubes: QuerySet[Kube], period: Period, as_of: dt.date) -> Section:
    until = period.until(as_of)
    formed = Q(formed_on__gte=period.start, formed_on__lte=until)
    existing = existing_on(kubes, as_of).values("pk")
    rows: list[list[Cell]] = []
    labels = dict(Cycle.FundingSource.choices)
    totals = [0, 0]
    for name, year, source, n_formed, n_existing in (
        kubes.values_list("cycle__name", "cycle__year", "cycle__funding_source")
        .annotate(f=Count("pk", filter=formed), e=Count("pk", filter=Q(pk__in=existing)))
        .order_by("cycle__year", "cycle__name")
    ):
        if not (n_formed or n_existing):
            continue
        rows.append([name, year, str(labels.get(source, source)), n_formed, n_existing])
        totals[0] += n_formed
        totals[1] += n_existing
    columns = [
        Column(_("Cycle")),
        Column(_("Year"), "year"),
        Column(_("Funding source")),
        Column(_("Groups formed in the period"), "count"),
        Column(_("KUBE as of the date"), "count"),
    ]
    return Section("cycles", _("Groups formed per cycle"), columns, rows, [_("Total"), None, None, *totals])


def _aid(user: User, root: Region, period: Period, as_of: dt.date) -> Section:
    lines = figures.aid_by_source(user=user, root=root, as_of=as_of, period=period)
    columns = [
        Column(_("Funding source")),
        Column(_("Year"), "year"),
        Column(_("Aid budgeted"), "rupiah"),
        Column(_("Aid approved"), "rupiah"),
        Column(_("Aid disbursed"), "rupiah"),
        Column(_("Disbursed up to the date"), "rupiah"),
    ]
    rows: list[list[Cell]] = [
        [line.label, line.year, line.budgeted, line.approved, line.paid, line.paid_to_date] for line in lines
    ]
    total: list[Cell] = [
        _("Total"),
        None,
        sum(line.budgeted for line in lines),
        sum(line.approved for line in lines),
        sum(line.paid for line in lines),
        sum(line.paid_to_date for line in lines),
    ]
    return Section("aid", _("Aid by source"), columns, rows, total)


def _snapshots_at(
    kubes: list[int], months: tuple[dt.date, dt.date]
) -> tuple[dict[int, tuple[int, dict[str, int]]], ...]:
    """Per group, the level and scores of its snapshot of each month, or of the latest month before it."""
    first, last = months
    at_first: dict[int, tuple[int, dict[str, int]]] = {}
    at_last: dict[int, tuple[int, dict[str, int]]] = {}
    for pk, month, level, scores in (
        LevelSnapshot.objects.filter(kube_id__in=kubes, month__lte=last)
        .order_by("kube_id", "month")
        .values_list("kube_id", "month", "level", "scores")
    ):
        at_last[pk] = (level, scores or {})  # ordered by month: the latest wins
        if month <= first:
            at_first[pk] = (level, scores or {})
    return at_first, at_last


def _level_label(level: int) -> str:
    return _("Not yet assessed") if level == UNASSESSED else str(Level(level).label)


def _levels_and_scores(kubes: QuerySet[Kube], period: Period, as_of: dt.date) -> tuple[Section, Section]:
    """From the snapshots of the period's first and last months (the last one cut at as_of): a from × to table of
    the groups existing on as_of, and the average of each effort's score."""
    first, last = month_start(period.start), month_start(period.until(as_of))
    groups = list(existing_on(kubes, as_of).values_list("pk", flat=True))
    at_first, at_last = _snapshots_at(groups, (first, last))
    order = [*LEVEL_ORDER, UNASSESSED]
    moves: dict[tuple[int, int], int] = defaultdict(int)
    for pk in groups:
        moves[(at_first.get(pk, (UNASSESSED, {}))[0], at_last.get(pk, (UNASSESSED, {}))[0])] += 1
    columns = [
        Column(_("Level at the start") + " \\ " + _("at the end")),
        *(Column(_level_label(level), "count") for level in order),
        Column(_("Total"), "count"),
    ]
    rows: list[list[Cell]] = []
    for start in order:
        counts = [moves[(start, end)] for end in order]
        rows.append([_level_label(start), *counts, sum(counts)])
    total: list[Cell] = [_("Total"), *(sum(moves[(s, end)] for s in order) for end in order), len(groups)]
    up = sum(n for (s, e), n in moves.items() if s != UNASSESSED and e != UNASSESSED and e > s)
    down = sum(n for (s, e), n in moves.items() if s != UNASSESSED and e != UNASSESSED and e < s)
    note = _("Start: %(first)s; end: %(last)s. Moved up: %(up)s; moved down: %(down)s.") % {
        "first": f"{first:%Y-%m}",
        "last": f"{last:%Y-%m}",
        "up": up,
        "down": down,
    }
    levels = Section("levels", _("Levels and movement between levels"), columns, rows, total, note)

    score_rows: list[list[Cell]] = []
    for key, label in [*((bina.value, str(bina.label)) for bina in Bina), ("total", _("Total score"))]:
        line: list[Cell] = [label]
        for snapshots in (at_first, at_last):
            values = [Decimal(str(s[key])) for _level, s in snapshots.values() if s.get(key) is not None]
            mean = sum(values, Decimal(0)) / len(values) if values else None
            line.append(mean.quantize(Decimal("0.1"), ROUND_HALF_UP) if mean is not None else None)
            line.append(len(values))
        score_rows.append(line)
    score_columns = [
        Column(_("Effort")),
        Column(_("Average at the start"), "decimal"),
        Column(_("Groups"), "count"),
        Column(_("Average at the end"), "decimal"),
        Column(_("Groups"), "count"),
    ]
    scores = Section("scorecard", _("Four-effort scorecard"), score_columns, score_rows, note=note.split(".")[0] + ".")
    return levels, scores


def _problems(kubes: QuerySet[Kube], period: Period, as_of: dt.date) -> Section:
    until = period.until(as_of)
    problems = Problem.objects.filter(kube__in=existing_on(kubes, as_of), reported_on__lte=as_of)
    labels = dict(Problem.Category.choices)
    rows: list[list[Cell]] = []
    totals = [0, 0, 0]
    for category, opened, solved, still_open in (
        problems.values_list("category")
        .annotate(
            o=Count("pk", filter=Q(reported_on__gte=period.start, reported_on__lte=until)),
            s=Count("pk", filter=Q(resolved_on__gte=period.start, resolved_on__lte=until)),
            n=Count("pk", filter=Q(resolved_on__isnull=True) | Q(resolved_on__gt=as_of)),
        )
        .order_by("category")
    ):
        rows.append([str(labels.get(category, category)), opened, solved, still_open])
        totals = [totals[0] + opened, totals[1] + solved, totals[2] + still_open]
    columns = [
        Column(_("Category")),
        Column(_("Opened in the period"), "count"),
        Column(_("Solved in the period"), "count"),
        Column(_("Open at the end"), "count"),
    ]
    return Section("problems", _("Problems"), columns, rows, [_("Total"), *totals])


def _facilitators(user: User, root: Region, period: Period, as_of: dt.date) -> Section:
    months = Months.of(period.start, period.until(as_of), as_of)
    result = supervision(user=user, period=months, kecamatan=root.code, today=as_of)
    header = export_header()
    units = ["text", "count", "count", "decimal", "count", "percent", *(["count"] * 9), "date", "date", "text"]
    columns = [Column(label, unit) for label, unit in zip(header, units, strict=True)]
    rows: list[list[Cell]] = [list(export_row(row)) for row in result.rows]  # type: ignore[arg-type]
    lagging = sum(1 for row in result.rows if row.lagging)
    note = _("%(lagging)s of %(count)s facilitators lagging; months %(first)s to %(last)s.") % {
        "lagging": lagging,
        "count": len(result.rows),
        "first": f"{months.first:%Y-%m}",
        "last": f"{months.last:%Y-%m}",
    }
    return Section("facilitators", _("Facilitators' work"), columns, rows, note=note)


def programme_report(*, user: User, root: Region, period: Period, as_of: dt.date, progress: Progress) -> Report:
    """The quarterly or annual programme report of a region."""
    report = Report(ReportRequest.Kind.PROGRAMME, _("Programme report"), root, period, as_of)
    table = breakdown(user=user, root=root, as_of=as_of, period=period)
    progress(30)
    kubes = groups_in(user, root)
    report.sections += [_summary(table), _per_child(table, KEY_CODES, "children", children_title(root))]
    report.sections += [_cycles(kubes, period, as_of), _aid(user, root, period, as_of)]
    progress(50)
    report.sections += [*_levels_and_scores(kubes, period, as_of), _problems(kubes, period, as_of)]
    progress(65)
    report.sections.append(_facilitators(user, root, period, as_of))
    progress(80)
    return report


# The SPM indicator ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpmLine:
    code: str
    name: str
    poor: int  # the denominator: poor households in the registry
    empowered: int  # the numerator: households with a member in a KUBE existing on as_of
    empowered_poor: int  # of those, households that are themselves poor

    @property
    def share(self) -> Decimal | None:
        return _share(self.empowered, self.poor)


def spm_lines(*, user: User, root: Region, as_of: dt.date) -> tuple[list[SpmLine], SpmLine]:
    """Per child region of `root` and in total: poor households, and households empowered through KUBE.

    The poor are counted by the database, per village (a province's registry holds a million people); the
    households in a KUBE are few enough to be read."""
    names = _child_names(root)
    registry = Household.objects.visible_to(user).filter(region_q("village__code", root.code))
    poor_q = Q(decile__gte=1, decile__lte=POOR_DECILE_MAX)
    poor: dict[str, int] = defaultdict(int)
    for village, count in registry.filter(poor_q).values_list("village_id").annotate(n=Count("pk")).order_by():
        poor[_child_of(root, village)] += count
    poor_members = set(
        registry.filter(poor_q)
        .filter(pk__in=_members_on(user, root, as_of).values("household_id"))
        .values_list("pk", flat=True)
    )
    empowered: dict[str, set[int]] = defaultdict(set)
    for household, village in _members_on(user, root, as_of).values_list("household_id", "kube__village_id").distinct():
        empowered[_child_of(root, village)].add(household)

    def line(code: str, name: str, poor_count: int, hit: set[int]) -> SpmLine:
        return SpmLine(code, name, poor_count, len(hit), len(hit & poor_members))

    lines = [line(code, name, poor[code], empowered[code]) for code, name in names.items()]
    everyone = set().union(*empowered.values()) if empowered else set()
    return lines, line(root.code, root.name, sum(poor.values()), everyone)


def _members_on(user: User, root: Region, as_of: dt.date) -> QuerySet[Membership]:
    """Memberships on as_of (joined by then, not left by then) of the groups existing then (the dashboard's rule)."""
    return Membership.objects.filter(kube__in=existing_on(groups_in(user, root), as_of), joined_on__lte=as_of).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=as_of)
    )


def spm_report(*, user: User, root: Region, period: Period, as_of: dt.date, progress: Progress) -> Report:
    lines, total = spm_lines(user=user, root=root, as_of=as_of)
    progress(60)
    columns = [
        Column(_("Region")),
        Column(_("Poor households (denominator)"), "count"),
        Column(_("Households in a KUBE (numerator)"), "count"),
        Column(_("Of them poor"), "count"),
        Column(_("Share (%)"), "percent"),
    ]
    rows: list[list[Cell]] = [[x.name, x.poor, x.empowered, x.empowered_poor, x.share] for x in lines]
    note = _(
        "Denominator: households of the registry in welfare decile 1 to %(max)s. Numerator: distinct households "
        "with a member in a KUBE existing on the date."
    ) % {"max": POOR_DECILE_MAX}
    section = Section(
        "spm",
        _("Poor households empowered through KUBE"),
        columns,
        rows,
        [_("Total"), total.poor, total.empowered, total.empowered_poor, total.share],
        note,
    )
    return Report(ReportRequest.Kind.SPM, _("Minimum service standard (SPM) indicator"), root, period, as_of, [section])


# Recap and group list ------------------------------------------------------------------------------------------


def recap_report(*, user: User, root: Region, period: Period, as_of: dt.date, progress: Progress) -> Report:
    table = breakdown(user=user, root=root, as_of=as_of, period=period)
    progress(60)
    section = _per_child(table, list(INDICATORS), "recap", children_title(root))
    return Report(ReportRequest.Kind.RECAP, _("Recap per kecamatan"), root, period, as_of, [section])


def group_list_report(*, user: User, root: Region, period: Period, as_of: dt.date, progress: Progress) -> Report:
    """Every KUBE in scope that existed on as_of, with the dashboard's figures of each group."""
    kubes = groups_in(user, root)
    codes = ["members", "aid_paid", *LEVEL_CODES.values(), "level_unassessed", *STATUS_CODES.values()]
    where, per = figures.per_group(kubes, as_of, period, codes)
    progress(50)
    level_labels = {code: str(INDICATORS[code].label) for code in (*LEVEL_CODES.values(), "level_unassessed")}
    status_labels = {code: str(INDICATORS[code].label) for code in STATUS_CODES.values()}
    facts = list(
        kubes.filter(pk__in=list(where)).values_list(
            "pk", "village__name", "village__parent__name", "facilitator_id", "formed_on"
        )
    )
    people = {user.pk: str(user) for user in User.objects.filter(pk__in={f[3] for f in facts if f[3]})}
    details = {
        pk: (village, kecamatan, people.get(facilitator, "") if facilitator else "", formed_on)
        for pk, village, kecamatan, facilitator, formed_on in facts
    }
    rows: list[list[Cell]] = []
    for pk, (name, _village) in sorted(where.items(), key=lambda item: (item[1][1], item[1][0], item[0])):
        values = per[pk]
        village, kecamatan, facilitator, formed_on = details.get(pk, ("", "", "", None))
        level = next((label for code, label in level_labels.items() if values.get(code)), "")
        status = next((label for code, label in status_labels.items() if values.get(code)), "")
        rows.append(
            [
                pk,
                name,
                village,
                kecamatan,
                facilitator,
                status,
                level,
                values.get("members") or 0,
                formed_on,
                values.get("aid_paid") or 0,
            ]
        )
    columns = [
        Column(_("ID"), "id"),
        Column(_("KUBE")),
        Column(_("Village")),
        Column(_("Kecamatan")),
        Column(_("Facilitator")),
        Column(_("Status")),
        Column(_("Level")),
        Column(_("Members"), "count"),
        Column(_("Formed on"), "date"),
        Column(str(INDICATORS["aid_paid"].label), "rupiah"),
    ]
    total: list[Cell] = [
        _("Total"),
        len(rows),
        None,
        None,
        None,
        None,
        None,
        sum(int(values.get("members") or 0) for values in per.values()),
        None,
        sum(int(values.get("aid_paid") or 0) for values in per.values()),
    ]
    section = Section("groups", _("Full group list"), columns, rows, total)
    return Report(ReportRequest.Kind.GROUPS, _("Full group list"), root, period, as_of, [section])


BUILDERS: dict[str, Callable[..., Report]] = {
    ReportRequest.Kind.PROGRAMME: programme_report,
    ReportRequest.Kind.SPM: spm_report,
    ReportRequest.Kind.RECAP: recap_report,
    ReportRequest.Kind.GROUPS: group_list_report,
}


def build(
    *, kind: str, user: User, root: Region, period: Period, as_of: dt.date, progress: Progress = _no_progress
) -> Report:
    """The report of `kind`, for what the user may see inside `root`."""
    with translation.override(DOCUMENT_LANGUAGE):
        return BUILDERS[kind](user=user, root=root, period=period, as_of=as_of, progress=progress)


def group_count(*, user: User, root: Region, as_of: dt.date) -> int:
    """How many groups the report would cover: above INLINE_MAX_GROUPS it is made in the background."""
    return existing_on(groups_in(user, root), as_of).count()


# Writing ---------------------------------------------------------------------------------------------------------

NUMBER_FORMATS = {
    "count": "#,##0",
    "rupiah": '"Rp" #,##0',
    "percent": "0.0",
    "decimal": "0.00",
    "date": "yyyy-mm-dd",
    "year": "0",
    "id": "0",
}


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28].strip() or "Sheet"
    name, n = clean, 2
    while name in used:
        name, n = f"{clean[:26]} {n}", n + 1
    used.add(name)
    return name


def _heading(report: Report) -> str:
    return f"{report.region.name} · {period_name(report.period)} · {_('as of')} {day(report.as_of)}"


def write_xlsx(report: Report) -> bytes:
    """One sheet per section: title, region, period and date on top, the header, the rows, the total in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    used: set[str] = set()
    with translation.override(DOCUMENT_LANGUAGE):
        heading = _heading(report)
    bold = Font(bold=True)
    for section in report.sections:
        sheet = workbook.create_sheet(_sheet_title(section.title, used))
        sheet.append([safe_cell(f"{report.title}: {section.title}")])
        sheet["A1"].font = bold
        sheet.append([safe_cell(heading)])
        sheet.append([safe_cell(section.note)] if section.note else [])
        sheet.append([safe_cell(column.label) for column in section.columns])
        for cell in sheet[4]:
            cell.font = bold
        lines = [*section.rows, *([section.total] if section.total else [])]
        for number_, values in enumerate(lines):
            sheet.append([safe_cell(value) if isinstance(value, str) else value for value in values])
            row = sheet.max_row
            for index, column in enumerate(section.columns, start=1):
                fmt = NUMBER_FORMATS.get(section.unit(column, number_))
                if fmt:
                    sheet.cell(row=row, column=index).number_format = fmt
            if section.total is not None and number_ == len(section.rows):
                for cell in sheet[row]:
                    cell.font = bold
        sheet.column_dimensions["A"].width = 34
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def shown(value: Cell, unit: str) -> str:
    """A cell as the PDF prints it (Indonesian digits: 2.000.000)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return day(value)
    if unit == "rupiah":
        return rupiah(value)
    if unit in ("year", "id"):
        return str(value)
    return number(value)


# A landscape A4 page holds about this many columns of figures beside the first (the name): a wider table is printed
# as several, each repeating the first column.
PDF_COLUMNS = 10


@dataclass(frozen=True)
class PrintedTable:
    header: list[str]
    rows: list[list[tuple[str, bool]]]  # (text, numeric) per cell
    total: list[tuple[str, bool]] | None


@dataclass(frozen=True)
class PrintedSection:
    section: Section
    tables: list[PrintedTable]


def _printed(section: Section) -> PrintedSection:
    def cells(values: list[Cell], row: int) -> list[tuple[str, bool]]:
        out = []
        for value, column in zip(values, section.columns, strict=True):
            unit = section.unit(column, row)
            out.append((shown(value, unit), unit != "text"))
        return out

    header = [column.label for column in section.columns]
    rows = [cells(values, row) for row, values in enumerate(section.rows)]
    total = cells(section.total, len(section.rows)) if section.total else None
    tables = []
    for start in range(1, max(len(header), 2), PDF_COLUMNS):
        keep = [0, *range(start, min(start + PDF_COLUMNS, len(header)))]
        tables.append(
            PrintedTable(
                [header[i] for i in keep],
                [[row[i] for i in keep] for row in rows],
                [total[i] for i in keep] if total else None,
            )
        )
    return PrintedSection(section, tables)


def letterhead_region(region: Region) -> str:
    """The Dinas whose letterhead the report carries: the region's own for a province or regency, else its
    regency's."""
    return region.code if region.level <= Region.Level.REGENCY else regency_code(region.code)


def write_pdf(report: Report) -> bytes:
    """The report on the Dinas's letterhead, in Indonesian like the SK; wide tables on landscape pages."""
    letterhead = letterhead_of(region_id=letterhead_region(report.region))
    with translation.override(DOCUMENT_LANGUAGE):
        return render_pdf(
            "reports/upward_pdf.html",
            {
                "report": report,
                "period_name": period_name(report.period),
                "sections": [_printed(section) for section in report.sections],
                # Every table wide (the recap, the group list): the whole report on landscape pages.
                "landscape": all(section.wide for section in report.sections),
                "letterhead": letterhead,
                "logo_url": logo_url(letterhead),
                "issuer": letterhead.issuer,
            },
        )


def write(report: Report, fmt: str) -> bytes:
    return write_pdf(report) if fmt == ReportRequest.Format.PDF else write_xlsx(report)


# Requests: made at once when small, by the task worker when large -----------------------------------------------


class ReportError(DomainError):
    pass


def request_report(
    *,
    by: User,
    kind: str,
    region: Region,
    period: Period,
    as_of: dt.date,
    fmt: str,
) -> ReportRequest:
    """Ask for a report: a small one is made at once, a large one (more than INLINE_MAX_GROUPS groups) is queued for
    the task worker, whose progress the request's page shows."""
    from . import tasks  # the task calls back into this module

    if not Region.objects.visible_to(by).filter(pk=region.pk).exists():
        raise ReportError(_("This region is outside your area."))
    if period.start > period.end:
        raise ReportError(_("The period must start before it ends."))
    wanted = ReportRequest.objects.create(
        requested_by=by,
        kind=kind,
        region=region,
        period_start=period.start,
        period_end=period.end,
        as_of=as_of,
        format=fmt,
    )
    if group_count(user=by, root=region, as_of=as_of) <= INLINE_MAX_GROUPS:
        try:
            tasks.make_report.call(wanted.pk)
        except Exception:  # recorded on the request (status "failed", the error): its page says so, not a 500
            logger.exception("Report request %s failed", wanted.pk)
        wanted.refresh_from_db()
    else:
        tasks.make_report.enqueue(wanted.pk)
    return wanted


def _set(wanted: ReportRequest, **fields: object) -> None:
    """Save some fields at once (outside any transaction, so that the progress page reads them while it runs)."""
    ReportRequest.objects.filter(pk=wanted.pk).update(**fields)


def file_name(wanted: ReportRequest) -> str:
    return f"laporan-{wanted.kind}-{wanted.region_id}-{wanted.period_start:%Y%m%d}-{wanted.period_end:%Y%m%d}.{wanted.format}"


def make_report(request_id: int) -> None:
    """Make the file of a report request, as the user who asked (the figures are scoped to them), noting progress."""
    wanted = ReportRequest.objects.select_related("requested_by", "region").get(pk=request_id)
    _set(wanted, status=ReportRequest.Status.RUNNING, progress=5)

    def step(percent: int) -> None:
        _set(wanted, progress=percent)

    try:
        report = build(
            kind=wanted.kind,
            user=wanted.requested_by,
            root=wanted.region,
            period=Period(wanted.period_start, wanted.period_end),
            as_of=wanted.as_of,
            progress=step,
        )
        data = write(report, wanted.format)
    except Exception as error:
        _set(wanted, status=ReportRequest.Status.FAILED, error=str(error)[:500], finished_at=timezone.now())
        raise
    wanted.file.save(file_name(wanted), ContentFile(data), save=False)
    _set(
        wanted,
        file=wanted.file.name,
        status=ReportRequest.Status.DONE,
        progress=100,
        finished_at=timezone.now(),
    )
