"""Facilitator supervision: each facilitator's work for a period of months, and who is lagging (issue #14 point 4).

Modelled on CommCare's worker activity reports. Per facilitator, for the groups the user may see:

- groups in care: a group is in a facilitator's care in a month when one of its assignments (groups.
  FacilitatorAssignment) overlaps the month; a group with no assignment on record is in its current facilitator's
  care throughout. Only groups still mentored (forming, active, inactive) count.
- visits: the facilitator's own visits (Visit.by) to a group in its care that month. The ratio is visits per
  group-month against the regency's target (monitoring setting `visits_per_month`); below means fewer visits than
  target x group-months. The share of groups visited is worked out per month.
- monthly reports: one is due for each month with a group in care, `report_due_days` after the month's end. Sent on
  time (submitted by the due date), late, missing (not sent and the due date has passed), or not yet due. Only
  users who may read monthly reports see these figures; for the others they are unknown, not missing.
- problems of its groups (attributed to whoever had the group in care on the day it was noticed): opened and solved
  in the period, solved by the deadline (monitoring `problem_days_<severity>`), open past the deadline at the end.
- early warnings it is responsible for, open at the end, and the oldest of them.

Lagging: below the visit target, `lagging_reports` or more reports late or missing, or any problem past its
deadline; each reason is named. Every figure comes from a constant number of queries, whatever the number of
facilitators (tested).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import IO

from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from berdaya.accounts.models import User
from berdaya.groups.models import FacilitatorAssignment, Kube
from berdaya.lib.exports import safe_cell
from berdaya.lib.months import month_end, month_start, months_back, next_month
from berdaya.lib.scoping import regency_code, region_q
from berdaya.mentoring.models import MonthlyReport, Problem, Visit
from berdaya.monitoring.models import EarlyWarning, RuleSet
from berdaya.monitoring.rules import Rules

# Who may use the pages: the Dinas (admin, officer), the Pemantau (read), a kecamatan operator (the facilitators
# working in its kecamatan) and a facilitator (its own page). A village operator sees one village's groups: too
# narrow a slice of a facilitator's work to judge it, so the page is not for it. The permission asked is
# `groups.view_kube` (every role that reads groups has it); this set names the roles among them.
SUPERVISING_ROLES = frozenset(
    {User.Role.ADMIN, User.Role.OFFICER, User.Role.MONITOR, User.Role.KECAMATAN_OPERATOR, User.Role.FACILITATOR}
)
MAX_MONTHS = 24

PROBLEM_DAYS: dict[int, str] = {
    Problem.Severity.HIGH: "problem_days_high",
    Problem.Severity.MEDIUM: "problem_days_medium",
    Problem.Severity.LOW: "problem_days_low",
}


def may_supervise(user: User) -> bool:
    """Whether the user may open the supervision pages at all (scope then says which facilitators)."""
    return user.has_perm("groups.view_kube") and user.role in SUPERVISING_ROLES


@dataclass(frozen=True)
class Months:
    """Whole months, from `first` to `last` (each the first day of its month)."""

    first: dt.date
    last: dt.date

    @classmethod
    def default(cls, today: dt.date) -> Months:
        """The last three complete months."""
        last = months_back(month_start(today), 1)
        return cls(months_back(last, 2), last)

    @classmethod
    def of(cls, first: dt.date | None, last: dt.date | None, today: dt.date) -> Months:
        """The months asked, put in order and cut to MAX_MONTHS; the default for what is missing."""
        default = cls.default(today)
        last = month_start(last) if last else default.last
        first = month_start(first) if first else months_back(last, 2)
        if first > last:
            first, last = last, first
        if months_back(last, MAX_MONTHS - 1) > first:
            first = months_back(last, MAX_MONTHS - 1)
        return cls(first, last)

    @property
    def months(self) -> list[dt.date]:
        found, month = [], self.first
        while month <= self.last:
            found.append(month)
            month = next_month(month)
        return found

    @property
    def end(self) -> dt.date:
        return month_end(self.last)


@dataclass(frozen=True)
class MonthCare:
    """One month of a facilitator's work: groups in care, how many of them were visited, visits made."""

    month: dt.date
    groups: int
    visited: int
    visits: int

    @property
    def visited_percent(self) -> Decimal | None:
        return _percent(self.visited, self.groups)


@dataclass(frozen=True)
class ReportState:
    """A monthly report due from the facilitator, and what became of it."""

    month: dt.date
    due_on: dt.date
    state: str  # "on_time", "late", "missing" or "pending" (not sent, not yet due)
    report_pk: int | None = None
    submitted_on: dt.date | None = None

    @property
    def label(self) -> Promise:
        return REPORT_STATES[self.state]


REPORT_STATES: dict[str, Promise] = {
    "on_time": _("on time"),
    "late": _("late"),
    "missing": _("missing"),
    "pending": _("not yet due"),
}


@dataclass(frozen=True)
class ProblemLine:
    pk: int
    kube_pk: int
    kube_name: str
    category: str
    severity: int
    reported_on: dt.date
    deadline: dt.date
    resolved_on: dt.date | None
    opened_in_period: bool
    solved_in_period: bool
    solved_on_time: bool
    overdue: bool  # open at the period's end (as of today at most), past its deadline


@dataclass(frozen=True)
class WarningLine:
    pk: int
    kube_pk: int
    kube_name: str
    kind: str
    raised_on: dt.date

    @property
    def kind_label(self) -> str:
        return str(EarlyWarning.Kind(self.kind).label)


@dataclass
class GroupLine:
    """A group in the facilitator's care in the period: visits per month (None: not in its care that month)."""

    pk: int
    name: str
    village: str
    visits: list[int | None] = field(default_factory=list)
    last_visit: dt.date | None = None

    @property
    def total(self) -> int:
        return sum(v or 0 for v in self.visits)


@dataclass
class FacilitatorRow:
    facilitator: User
    target: int
    groups: int = 0  # in care at the end of the period
    group_months: int = 0
    visits: int = 0
    months: list[MonthCare] = field(default_factory=list)
    reports_known: bool = False
    reports: list[ReportState] = field(default_factory=list)
    problems: list[ProblemLine] = field(default_factory=list)
    warnings: list[WarningLine] = field(default_factory=list)
    last_visit: dt.date | None = None
    lagging_reports: int = 1
    reasons: list[str] = field(default_factory=list)

    @property
    def visits_per_group_month(self) -> Decimal | None:
        if not self.group_months:
            return None
        return (Decimal(self.visits) / self.group_months).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def below_target(self) -> bool:
        return self.visits < self.target * self.group_months

    @property
    def visited_percent(self) -> Decimal | None:
        """Share of group-months with at least one visit."""
        return _percent(sum(m.visited for m in self.months), self.group_months)

    def _reports(self, state: str) -> int:
        return sum(1 for r in self.reports if r.state == state)

    @property
    def reports_due(self) -> int:
        return sum(1 for r in self.reports if r.state != "pending")

    @property
    def reports_submitted(self) -> int:
        return self._reports("on_time") + self._reports("late")

    @property
    def reports_on_time(self) -> int:
        return self._reports("on_time")

    @property
    def reports_late(self) -> int:
        return self._reports("late")

    @property
    def reports_missing(self) -> int:
        return self._reports("missing")

    @property
    def problems_opened(self) -> int:
        return sum(1 for p in self.problems if p.opened_in_period)

    @property
    def problems_solved(self) -> int:
        return sum(1 for p in self.problems if p.solved_in_period)

    @property
    def problems_solved_on_time(self) -> int:
        return sum(1 for p in self.problems if p.solved_in_period and p.solved_on_time)

    @property
    def problems_overdue(self) -> int:
        return sum(1 for p in self.problems if p.overdue)

    @property
    def warnings_open(self) -> int:
        return len(self.warnings)

    @property
    def oldest_warning(self) -> dt.date | None:
        return min((w.raised_on for w in self.warnings), default=None)

    @property
    def lagging(self) -> bool:
        return bool(self.reasons)

    def judge(self) -> None:
        """Name the reasons the facilitator lags (none: it does not)."""
        reasons = []
        if self.group_months and self.below_target:
            reasons.append(
                str(_("%(ratio)s visits per group per month, target %(target)s"))
                % {"ratio": self.visits_per_group_month, "target": self.target}
            )
        behind = self.reports_late + self.reports_missing
        if self.reports_known and behind >= self.lagging_reports:
            reasons.append(
                str(_("monthly reports: %(late)s late, %(missing)s missing"))
                % {"late": self.reports_late, "missing": self.reports_missing}
            )
        if self.problems_overdue:
            reasons.append(
                ngettext(
                    "%(count)s problem past its deadline",
                    "%(count)s problems past their deadline",
                    self.problems_overdue,
                )
                % {"count": self.problems_overdue}
            )
        self.reasons = reasons


@dataclass
class Supervision:
    period: Months
    as_of: dt.date
    rows: list[FacilitatorRow]
    # The groups of each facilitator (only filled for one facilitator's page).
    groups: dict[int, list[GroupLine]] = field(default_factory=dict)
    visits: dict[int, list[tuple[int, int, str, dt.date]]] = field(default_factory=dict)  # pk, kube, name, date


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def supervisable(user: User) -> QuerySet[User]:
    """Facilitators whose supervision page the user may open: a facilitator itself; anyone else the facilitators
    of its region and those who mentor (or mentored) a group it sees."""
    facilitators: QuerySet[User] = User.objects.filter(role=User.Role.FACILITATOR)
    if not may_supervise(user):
        return facilitators.none()
    if user.is_facilitator:
        return facilitators.filter(pk=user.pk)
    kubes = Kube.objects.visible_to(user)
    return facilitators.filter(
        Q(pk__in=User.objects.visible_to(user).values("pk"))
        | Q(pk__in=FacilitatorAssignment.objects.filter(kube__in=kubes).values("facilitator"))
        | Q(pk__in=kubes.values("facilitator"))
    )


def supervision(
    *,
    user: User,
    period: Months,
    kecamatan: str = "",
    facilitator: User | None = None,
    today: dt.date | None = None,
) -> Supervision:
    """The work of each facilitator in the user's scope (or of one) for the period, lagging ones first."""
    today = today or timezone.localdate()
    first_day, as_of = period.first, min(period.end, today)
    months = period.months

    kubes = Kube.objects.visible_to(user).filter(status__in=Kube.MENTORED)
    if kecamatan:
        kubes = kubes.filter(region_q("village__code", kecamatan))
    groups = {
        pk: (name, village, current)
        for pk, name, village, current in kubes.values_list("pk", "name", "village__name", "facilitator_id")
    }

    # Care: (facilitator, kube) -> list of (start, end) spells; a group with no assignment on record is its current
    # facilitator's for the whole period.
    spells: dict[tuple[int, int], list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    assigned: set[int] = set()
    for kube_id, carer, started, ended in (
        FacilitatorAssignment.objects.filter(kube_id__in=list(groups))
        .order_by()
        .values_list("kube_id", "facilitator_id", "started_on", "ended_on")
    ):
        assigned.add(kube_id)
        spells[(carer, kube_id)].append((started, ended))
    for kube_id, (_name, _village, current) in groups.items():
        if kube_id not in assigned and current is not None:
            spells[(current, kube_id)].append((dt.date.min, None))

    def in_care(carer: int, kube_id: int, start: dt.date, end: dt.date) -> bool:
        return any(s <= end and (e is None or e >= start) for s, e in spells.get((carer, kube_id), ()))

    carers_of: dict[int, list[int]] = defaultdict(list)
    for carer, kid in spells:
        carers_of[kid].append(carer)

    def carer_on(kube_id: int, day: dt.date) -> int | None:
        return next((carer for carer in carers_of[kube_id] if in_care(carer, kube_id, day, day)), None)

    # The facilitators: those with a group in care in the period, and (for the Dinas) those of the user's region.
    carers = {carer for (carer, kid) in spells if in_care(carer, kid, first_day, as_of)}
    people: QuerySet[User] = User.objects.filter(role=User.Role.FACILITATOR)
    if facilitator is not None:
        people = people.filter(pk=facilitator.pk)
    elif user.is_facilitator:
        people = people.filter(pk=user.pk)
    else:
        mine = User.objects.visible_to(user).filter(role=User.Role.FACILITATOR, is_active=True)
        if kecamatan:
            mine = mine.filter(region_q("region__code", kecamatan))
        people = people.filter(Q(pk__in=carers) | Q(pk__in=mine.values("pk")))
    facilitators = list(people.select_related("region").order_by("first_name", "last_name", "username"))
    ids = [f.pk for f in facilitators]
    by_pk = {f.pk: f for f in facilitators}

    # The rules of each facilitator's regency, in force at the period's end.
    regencies = {regency_code(f.region_id) for f in facilitators if f.region_id}
    if user.region_id:
        regencies.add(regency_code(user.region_id))
    rule_sets = list(RuleSet.objects.filter(region_id__in=regencies, effective_from__lte=as_of))

    def rules_of(person: User) -> Rules:
        regency = regency_code(person.region_id or user.region_id or "")
        return Rules.effective(regency=regency, on=as_of, rule_sets=rule_sets)

    visits = (
        Visit.objects.visible_to(user)
        .filter(kube_id__in=list(groups), by_id__in=ids, visited_on__gte=first_day, visited_on__lte=as_of)
        .order_by("visited_on", "pk")
        .values_list("pk", "by_id", "kube_id", "visited_on")
    )
    visit_count: dict[tuple[int, int, dt.date], int] = defaultdict(int)
    visit_lines: dict[int, list[tuple[int, int, str, dt.date]]] = defaultdict(list)
    for pk, by, kube_id, visited_on in visits:
        month = month_start(visited_on)
        if in_care(by, kube_id, month, month_end(month)):
            visit_count[(by, kube_id, month)] += 1
            visit_lines[by].append((pk, kube_id, groups[kube_id][0], visited_on))
    last_visits: dict[int, dt.date] = dict(
        Visit.objects.visible_to(user)
        .filter(kube_id__in=list(groups), by_id__in=ids, visited_on__lte=as_of)
        .order_by()
        .values("by_id")
        .annotate(last=Max("visited_on"))
        .values_list("by_id", "last")
    )
    group_last: dict[tuple[int, int], dt.date] = {}
    if facilitator is not None:
        group_last = {
            (by, kube_id): last
            for by, kube_id, last in Visit.objects.visible_to(user)
            .filter(kube_id__in=list(groups), by_id__in=ids, visited_on__lte=as_of)
            .order_by()
            .values("by_id", "kube_id")
            .annotate(last=Max("visited_on"))
            .values_list("by_id", "kube_id", "last")
        }

    # Reports: only for those who may read them, and for facilitators whose reports the user may see.
    reports: dict[tuple[int, dt.date], tuple[int, str, dt.datetime | None]] = {}
    known: set[int] = set()
    if user.has_perm("mentoring.view_monthlyreport"):
        visible_reports = MonthlyReport.objects.visible_to(user)
        known = (
            set(ids)
            if user.is_facilitator
            else set(User.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
        )
        for pk, who, month, status, submitted_at in visible_reports.filter(
            facilitator_id__in=ids, month__gte=first_day, month__lte=period.last
        ).values_list("pk", "facilitator_id", "month", "status", "submitted_at"):
            reports[(who, month)] = (pk, status, submitted_at)

    problems = (
        Problem.objects.visible_to(user)
        .filter(kube_id__in=list(groups), reported_on__lte=as_of)
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gte=first_day))
        .order_by("reported_on", "pk")
        .values_list("pk", "kube_id", "category", "severity", "reported_on", "resolved_on")
    )
    problem_lines: dict[int, list[ProblemLine]] = defaultdict(list)
    categories = dict(Problem.Category.choices)
    for pk, kube_id, category, severity, reported_on, resolved_on in problems:
        in_charge = carer_on(kube_id, reported_on)
        person = by_pk.get(in_charge) if in_charge is not None else None
        if person is None:
            continue
        deadline = reported_on + dt.timedelta(days=rules_of(person)[PROBLEM_DAYS.get(severity, "problem_days_medium")])
        solved = resolved_on is not None and first_day <= resolved_on <= as_of
        open_at_end = resolved_on is None or resolved_on > as_of
        problem_lines[person.pk].append(
            ProblemLine(
                pk=pk,
                kube_pk=kube_id,
                kube_name=groups[kube_id][0],
                category=str(categories.get(category, category)),
                severity=severity,
                reported_on=reported_on,
                deadline=deadline,
                resolved_on=resolved_on,
                opened_in_period=reported_on >= first_day,
                solved_in_period=solved,
                solved_on_time=solved and resolved_on is not None and resolved_on <= deadline,
                overdue=open_at_end and deadline < as_of,
            )
        )

    warnings = (
        EarlyWarning.objects.visible_to(user)
        .filter(kube_id__in=list(groups), responsible_id__in=ids, raised_on__lte=as_of)
        .filter(Q(cleared_on__isnull=True) | Q(cleared_on__gt=as_of))
        .filter(Q(handled_at__isnull=True) | Q(handled_at__date__gt=as_of))
        .order_by("raised_on", "pk")
        .values_list("pk", "responsible_id", "kube_id", "kind", "raised_on")
    )
    warning_lines: dict[int, list[WarningLine]] = defaultdict(list)
    for pk, responsible, kube_id, kind, raised_on in warnings:
        warning_lines[responsible].append(WarningLine(pk, kube_id, groups[kube_id][0], kind, raised_on))

    rows: list[FacilitatorRow] = []
    result = Supervision(period=period, as_of=as_of, rows=rows)
    for person in facilitators:
        rules = rules_of(person)
        row = FacilitatorRow(
            facilitator=person, target=rules["visits_per_month"], lagging_reports=rules["lagging_reports"]
        )
        mine_groups = sorted(
            (kid for (carer, kid) in spells if carer == person.pk and in_care(carer, kid, first_day, as_of)),
            key=lambda kid: (groups[kid][0], kid),
        )
        lines = {kid: GroupLine(kid, groups[kid][0], groups[kid][1]) for kid in mine_groups}
        for month in months:
            end = min(month_end(month), as_of)
            cared = [kid for kid in mine_groups if month <= as_of and in_care(person.pk, kid, month, end)]
            counts = {kid: visit_count.get((person.pk, kid, month), 0) for kid in cared}
            row.months.append(MonthCare(month, len(cared), sum(1 for n in counts.values() if n), sum(counts.values())))
            for kid, line in lines.items():
                line.visits.append(counts.get(kid))
        row.group_months = sum(m.groups for m in row.months)
        row.visits = sum(m.visits for m in row.months)
        row.groups = sum(1 for kid in mine_groups if in_care(person.pk, kid, as_of, as_of))
        row.last_visit = last_visits.get(person.pk)
        row.reports_known = person.pk in known
        if row.reports_known:
            for care in row.months:
                if not care.groups:
                    continue
                due_on = month_end(care.month) + dt.timedelta(days=rules["report_due_days"])
                found = reports.get((person.pk, care.month))
                sent = found is not None and found[1] != MonthlyReport.Status.DRAFT and found[2] is not None
                if sent and found is not None and found[2] is not None:
                    submitted_on = timezone.localdate(found[2])
                    state = "on_time" if submitted_on <= due_on else "late"
                    row.reports.append(ReportState(care.month, due_on, state, found[0], submitted_on))
                else:
                    state = "missing" if today > due_on else "pending"
                    row.reports.append(ReportState(care.month, due_on, state, found[0] if found else None))
        row.problems = problem_lines.get(person.pk, [])
        row.warnings = warning_lines.get(person.pk, [])
        row.judge()
        rows.append(row)
        if facilitator is not None:
            for kid, line in lines.items():
                line.last_visit = group_last.get((person.pk, kid))
            result.groups[person.pk] = list(lines.values())
            result.visits[person.pk] = visit_lines.get(person.pk, [])
    rows.sort(key=lambda r: (not r.lagging, -len(r.reasons), str(r.facilitator).lower()))
    return result


def export_header() -> list[str]:
    return [
        str(_("Facilitator")),
        str(_("Groups in care")),
        str(_("Visits")),
        str(_("Visits per group per month")),
        str(_("Target")),
        str(_("Groups visited (%)")),
        str(_("Reports due")),
        str(_("Reports on time")),
        str(_("Reports late")),
        str(_("Reports missing")),
        str(_("Problems opened")),
        str(_("Problems solved")),
        str(_("Problems solved on time")),
        str(_("Problems past their deadline")),
        str(_("Warnings open")),
        str(_("Oldest warning")),
        str(_("Last visit")),
        str(_("Lagging because")),
    ]


def export_row(row: FacilitatorRow) -> list[object]:
    """One facilitator's figures as the page shows them (unknown report figures stay empty)."""
    known = row.reports_known
    return [
        str(row.facilitator),
        row.groups,
        row.visits,
        row.visits_per_group_month,
        row.target,
        row.visited_percent,
        row.reports_due if known else None,
        row.reports_on_time if known else None,
        row.reports_late if known else None,
        row.reports_missing if known else None,
        row.problems_opened,
        row.problems_solved,
        row.problems_solved_on_time,
        row.problems_overdue,
        row.warnings_open,
        row.oldest_warning,
        row.last_visit,
        "; ".join(row.reasons),
    ]


def write_xlsx(result: Supervision, stream: IO[bytes]) -> None:
    """The same rows as the page and the CSV, as a spreadsheet with the period in its title."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Supervision"))[:31])
    sheet.append(
        [
            str(_("Facilitator supervision")),
            f"{result.period.first:%Y-%m} – {result.period.last:%Y-%m}",
            result.as_of,
        ]
    )
    sheet.append(export_header())
    for row in result.rows:
        sheet.append([safe_cell(cell) if isinstance(cell, str) else cell for cell in export_row(row)])
    workbook.save(stream)
