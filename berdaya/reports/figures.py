"""The programme's numbers: one source for the dashboard, the map, the reports upward (and later the API).

Every figure is worked out for the groups the user may see (`Kube.objects.visible_to(user)`) inside a region, for
a state on a date (`as_of`) and, for flows (money paid, visits made), a period. `breakdown` gives the figures of
the region's children (the kecamatan of a regency, the villages of a kecamatan, the groups of a village) and their
total: for an additive indicator the total is the sum of the rows, and a parent's row equals its own breakdown's
total (tested). A ratio is never averaged: it is worked out again from its parts at each level.

Contract (other modules build on it; keep the signatures):
  INDICATORS: dict[str, Indicator] in display order; `breakdown(...)` -> Breakdown; `Period`; `Row.values[code]`.

How the figures are worked out (docs/reports.md says the same for readers):
- Every figure is first worked out per group, by a few grouped queries over all the groups at once (a constant
  number per breakdown, whatever the number of groups or children), then summed into the rows and the total.
- A stock (members, IKS balance, open problems ...) is the state at the end of `as_of`; a flow (aid paid,
  revenue, visits ...) counts what happened in the period, cut at `as_of`.
- A group counts from the day it was created until the day it was dissolved (`existing_on`).
- A trend (`trends`, the dashboard's bars) works out every month in the same grouped queries: each month's figure
  is its own filtered aggregate (SUM(...) FILTER (WHERE <the month's condition>)) with the condition of the one-date
  collector, so a month of the trend equals that month's breakdown (tested) and twelve months cost what one does.
- "trainings" is the one count that is not additive: a training attended by members of two villages is one
  training in the kecamatan. Percentages are worked out again from their parts at each level.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from berdaya.accounts.models import User
from berdaya.business.models import AidStage, BusinessPlan, CashEntry, CashMonthTotal, IksEntry, Loan, Repayment
from berdaya.business.money import whole
from berdaya.groups.models import Kube, Membership
from berdaya.lib.months import month_end, month_start, months_back, next_month
from berdaya.lib.scoping import regency_code, region_q
from berdaya.mentoring.models import MonthlyReport, Problem, Visit
from berdaya.monitoring.models import EarlyWarning, Level, LevelSnapshot, RuleSet
from berdaya.monitoring.rules import Rules
from berdaya.regions.models import Region
from berdaya.targeting.models import Cycle
from berdaya.training.models import Participant

Value = int | Decimal | None


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str | Promise
    unit: str  # "count", "rupiah" or "percent"
    additive: bool = True  # the total is the sum of the rows (a percentage is worked out again from its parts)
    parts: tuple[str, str] | None = None  # a percentage: the codes of its numerator and denominator
    stock: bool = True  # a state on `as_of` (False: a flow over the period)


@dataclass(frozen=True)
class Period:
    """Inclusive dates of a flow (money paid, visits made); `as_of` caps it."""

    start: dt.date
    end: dt.date

    @classmethod
    def year_to(cls, day: dt.date) -> Period:
        return cls(day.replace(month=1, day=1), day)

    def until(self, as_of: dt.date) -> dt.date:
        """The last day the flow counts: the period's end, or `as_of` when earlier."""
        return min(self.end, as_of)


LEVEL_CODES = {
    Level.NONE: "level_none",
    Level.TUMBUH: "level_tumbuh",
    Level.BERKEMBANG: "level_berkembang",
    Level.MANDIRI: "level_mandiri",
}
STATUS_CODES = {
    Kube.Status.FORMING: "status_forming",
    Kube.Status.ACTIVE: "status_active",
    Kube.Status.INACTIVE: "status_inactive",
    Kube.Status.GRADUATED: "status_graduated",
}

INDICATORS: dict[str, Indicator] = {
    indicator.code: indicator
    for indicator in (
        Indicator("kubes", _("KUBE"), "count"),
        Indicator("members", _("Members"), "count"),
        Indicator("aid_paid", _("Aid disbursed"), "rupiah", stock=False),
        Indicator("households", _("Households"), "count"),
        *(Indicator(code, Level(level).label, "count") for level, code in LEVEL_CODES.items()),
        Indicator("level_unassessed", _("Level not yet assessed"), "count"),
        *(Indicator(code, Kube.Status(status).label, "count") for status, code in STATUS_CODES.items()),
        Indicator("aid_budgeted", _("Aid budgeted"), "rupiah"),
        Indicator("aid_approved", _("Aid approved"), "rupiah"),
        Indicator("revenue", _("Revenue (sales)"), "rupiah", stock=False),
        Indicator("profit", _("Profit"), "rupiah", stock=False),
        Indicator("iks_balance", _("IKS balance"), "rupiah"),
        Indicator("fund_outstanding", _("Revolving fund lent out"), "rupiah"),
        Indicator("trainings", _("Trainings held"), "count", additive=False, stock=False),
        Indicator("members_trained", _("Members trained"), "count", stock=False),
        Indicator("groups_visited", _("Groups visited"), "count", stock=False),
        Indicator("visit_coverage", _("Visit coverage"), "percent", False, ("groups_visited", "kubes"), False),
        Indicator("reports_due", _("Monthly reports due"), "count", stock=False),
        Indicator("reports_on_time", _("Monthly reports on time"), "count", stock=False),
        Indicator(
            "reports_on_time_share", _("Reports on time"), "percent", False, ("reports_on_time", "reports_due"), False
        ),
        Indicator("problems_open", _("Open problems"), "count"),
        Indicator("warnings_open", _("Open early warnings"), "count"),
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
    """The groups that existed on `as_of`: formed (or entered, when not yet formed) by then and not dissolved by then.

    A group entered from paper records is formed long before its row was created: its formation date counts."""
    dissolved = Q(status=Kube.Status.DISSOLVED, status_since__lte=as_of)
    return kubes.filter(Q(formed_on__lte=as_of) | Q(created_at__date__lte=as_of)).exclude(dissolved)


def _region_key(village_code: str, level: int) -> str:
    """The code of the region at `level` (1 province ... 4 village) that holds the village."""
    return ".".join(village_code.split(".")[:level])


# Per-group figures -----------------------------------------------------------------------------------------------
# Each collector adds its codes to `per[group pk]` with one or two grouped queries over all the groups; `sets`
# holds the distinct ids behind a non-additive count (trainings) so that each level counts them once.

PerGroup = dict[int, dict[str, Value]]
Sets = dict[int, dict[str, set[int]]]


@dataclass
class _Scope:
    kubes: QuerySet[Kube]  # the groups that existed on as_of
    as_of: dt.date
    period: Period
    per: PerGroup
    sets: Sets
    where: dict[int, tuple[str, str]] = field(default_factory=dict)  # name and village of each group in scope
    facilitators: dict[int, int | None] = field(default_factory=dict)
    status_since: dict[int, tuple[str, dt.date]] = field(default_factory=dict)

    def add(self, pk: int, code: str, value: Value) -> None:
        self.per[pk][code] = (self.per[pk].get(code) or 0) + (value or 0)


# The conditions of each collector for one date or period, shared with its many-months form (`SERIES` below) so
# that a trend's month and a breakdown of that month count the same rows.


def _member_on(as_of: dt.date) -> Q:
    return Q(joined_on__lte=as_of) & (Q(left_on__isnull=True) | Q(left_on__gt=as_of))


def _between(field: str, period: Period, as_of: dt.date) -> Q:
    """The rows whose `field` (a date) falls in the period, cut at as_of."""
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.until(as_of)})


def _problem_open(as_of: dt.date) -> Q:
    return Q(reported_on__lte=as_of) & (Q(resolved_on__isnull=True) | Q(resolved_on__gt=as_of))


def _warning_open(as_of: dt.date) -> Q:
    return (
        Q(raised_on__lte=as_of)
        & (Q(cleared_on__isnull=True) | Q(cleared_on__gt=as_of))
        & (Q(handled_at__isnull=True) | Q(handled_at__date__gt=as_of))
    )


def _members(s: _Scope) -> None:
    members = Membership.objects.filter(_member_on(s.as_of), kube__in=s.kubes)
    for pk, n, households in (
        members.values_list("kube_id")
        .annotate(n=Count("pk"), h=Count("household_id", distinct=True))
        .values_list("kube_id", "n", "h")
    ):
        s.add(pk, "members", n)
        s.add(pk, "households", households)


def _levels(s: _Scope) -> None:
    """The level of the snapshot of as_of's month, or of the latest month before it."""
    latest = LevelSnapshot.objects.filter(kube=OuterRef("pk"), month__lte=s.as_of.replace(day=1)).order_by("-month")
    for pk, level in s.kubes.annotate(level=Subquery(latest.values("level")[:1])).values_list("pk", "level"):
        s.add(pk, LEVEL_CODES.get(level, "level_unassessed") if level is not None else "level_unassessed", 1)


def _statuses(s: _Scope) -> None:
    """The status on as_of: the current one if it held then, else the last one the group's history recorded."""
    changed_since = [pk for pk, (_status, since) in s.status_since.items() if since > s.as_of]
    earlier: dict[int, str] = {}
    if changed_since:
        history = Kube.history.model.objects.filter(id__in=changed_since, history_date__date__lte=s.as_of).order_by(
            "id", "history_date", "history_id"
        )
        for pk, status in history.values_list("id", "status"):
            earlier[pk] = status  # ordered by date: the last one wins
    for pk, (status, since) in s.status_since.items():
        if since > s.as_of:
            status = earlier.get(pk, Kube.Status.FORMING)
        code = STATUS_CODES.get(Kube.Status(status))
        if code is not None:
            s.add(pk, code, 1)


def approved_by(as_of: dt.date) -> Q:
    """Aid stages of groups whose business plan (with its budget, the RAB) the Dinas had approved by `as_of`."""
    return Q(
        kube__business_plan__status=BusinessPlan.Status.APPROVED, kube__business_plan__approved_at__date__lte=as_of
    )


def _aid(s: _Scope) -> None:
    """Budgeted: every stage planned for the group. Approved: those of a group whose business plan was approved by
    as_of. Paid: the stages paid in the period."""
    paid = _between("paid_on", s.period, s.as_of)
    for pk, budgeted, approved, amount in (
        AidStage.objects.filter(kube__in=s.kubes)
        .values_list("kube_id")
        .annotate(b=Sum("amount"), a=Sum("amount", filter=approved_by(s.as_of)), p=Sum("amount", filter=paid))
        .values_list("kube_id", "b", "a", "p")
    ):
        s.add(pk, "aid_budgeted", whole(budgeted))
        s.add(pk, "aid_approved", whole(approved))
        s.add(pk, "aid_paid", whole(amount))


def _whole_months(start: dt.date, until: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first days of the first and the last whole month between two days (inclusive), if any."""
    first = start if start.day == 1 else next_month(start)
    last = month_start(until) if until == month_end(until) else months_back(month_start(until), 1)
    return (first, last) if first <= last else None


def _cash_parts(start: dt.date, until: dt.date) -> tuple[Q | None, Q | None]:
    """Where a span's revenue and profit come from: its whole months from the monthly totals (`CashMonthTotal`,
    kept as the entries are written), the days at its edges (a month still running) from the entries themselves.
    None where there is no such part."""
    whole = _whole_months(start, until)
    if whole is None:
        return None, Q(entry_date__gte=start, entry_date__lte=until)
    first, last = whole
    edges = []
    if start < first:
        edges.append(Q(entry_date__gte=start, entry_date__lt=first))
    if month_end(last) < until:
        edges.append(Q(entry_date__gt=month_end(last), entry_date__lte=until))
    days = None
    for edge in edges:
        days = edge if days is None else days | edge
    return Q(month__gte=first, month__lte=last), days


def _cash(s: _Scope) -> None:
    """Revenue and profit by the business dashboard's rule (`CashEntry.effect`): sales are revenue; every category
    but capital movements and distributions is profit or cost; a reversal takes back what its entry added."""
    months, days = _cash_parts(s.period.start, s.period.until(s.as_of))
    if months is not None:
        totals = CashMonthTotal.objects.filter(months, kube__in=s.kubes).values_list("kube_id")
        for pk, revenue, profit in totals.annotate(r=Sum("revenue"), p=Sum("profit")):
            s.add(pk, "revenue", whole(revenue))
            s.add(pk, "profit", whole(profit))
    if days is not None:
        for query in _cash_queries(CashEntry.objects.filter(days, kube__in=s.kubes)):
            for pk, kind, category, total in query.annotate(t=Sum("amount")):
                _add_cash(s, pk, kind, category, total)


def _cash_queries(entries: QuerySet[CashEntry]) -> tuple[QuerySet[CashEntry, Any], QuerySet[CashEntry, Any]]:
    """The entries by group, kind and category (a reversal by the category of the entry it reverses)."""
    Category = CashEntry.Category
    totals = entries.exclude(category=Category.REVERSAL).values_list("kube_id", "kind", "category")
    reversals = entries.filter(category=Category.REVERSAL).values_list("kube_id", "kind", "reverses__category")
    return totals, reversals


def _add_cash(s: _Scope, pk: int, kind: str, category: str, total: object) -> None:
    revenue, profit = CashEntry.effect(kind, category, whole(total))
    s.add(pk, "revenue", revenue)
    s.add(pk, "profit", profit)


def _funds(s: _Scope) -> None:
    """The IKS balance and what the revolving fund has lent out and not yet had back, at the end of as_of."""
    for pk, kind, total in (
        IksEntry.objects.filter(kube__in=s.kubes, entry_date__lte=s.as_of)
        .values_list("kube_id", "kind")
        .annotate(t=Sum("amount"))
    ):
        s.add(pk, "iks_balance", whole(total) if kind == IksEntry.Kind.CONTRIBUTION else -whole(total))
    for pk, total in (
        Loan.objects.filter(kube__in=s.kubes, issued_on__lte=s.as_of)
        .values_list("kube_id")
        .annotate(t=Sum("principal"))
    ):
        s.add(pk, "fund_outstanding", whole(total))
    for pk, total in (
        Repayment.objects.filter(loan__kube__in=s.kubes, loan__issued_on__lte=s.as_of, paid_on__lte=s.as_of)
        .values_list("loan__kube_id")
        .annotate(t=Sum("amount"))
    ):
        s.add(pk, "fund_outstanding", -whole(total))


def _training(s: _Scope) -> None:
    """Trainings that ended in the period and the members who attended them."""
    attended = Participant.objects.filter(
        _between("training__ends_on", s.period, s.as_of), membership__kube__in=s.kubes, attended=True
    )
    trained: dict[int, set[int]] = defaultdict(set)
    for pk, training, membership in attended.values_list("membership__kube_id", "training_id", "membership_id"):
        s.sets[pk].setdefault("trainings", set()).add(training)
        trained[pk].add(membership)
    for pk, members in trained.items():
        s.add(pk, "members_trained", len(members))


def _visits(s: _Scope) -> None:
    visited = Visit.objects.filter(_between("visited_on", s.period, s.as_of), kube__in=s.kubes)
    for pk in visited.order_by().values_list("kube_id", flat=True).distinct():
        s.add(pk, "groups_visited", 1)


def report_due_days(kubes: QuerySet[Kube], on: dt.date) -> dict[int, int]:
    """Per group, the days after a month's end by which its facilitator's monthly report is on time: the monitoring
    rule `report_due_days` of the group's regency (the one facilitator supervision reads)."""
    villages = dict(kubes.values_list("pk", "village_id"))
    regencies = {regency_code(village) for village in villages.values()}
    rule_sets = list(RuleSet.objects.filter(region_id__in=regencies, effective_from__lte=on))
    days = {
        regency: int(Rules.effective(regency=regency, on=on, rule_sets=rule_sets)["report_due_days"])
        for regency in regencies
    }
    return {pk: days[regency_code(village)] for pk, village in villages.items()}


def _reports(s: _Scope) -> None:
    """Per group and month of the period whose report was due by as_of: its facilitator's report, on time if it
    was submitted within the regency's `report_due_days` after the month's end."""
    due_days = report_due_days(s.kubes, s.as_of)
    months: list[dt.date] = []
    month = s.period.start.replace(day=1)
    while month <= s.period.until(s.as_of):
        months.append(month)
        month = month_end(month) + dt.timedelta(days=1)
    facilitators = {f for f in s.facilitators.values() if f is not None}
    if not months or not facilitators:
        return
    submitted = {
        (facilitator, month): at
        for facilitator, month, at in MonthlyReport.objects.filter(
            facilitator_id__in=facilitators, month__in=months, submitted_at__isnull=False
        ).values_list("facilitator_id", "month", "submitted_at")
    }
    for pk, facilitator in s.facilitators.items():
        if facilitator is None:
            continue
        for month in months:
            due = month_end(month) + dt.timedelta(days=due_days.get(pk, 0))
            if due > s.as_of:
                continue
            s.add(pk, "reports_due", 1)
            at = submitted.get((facilitator, month))
            if at is not None and timezone.localdate(at) <= due:
                s.add(pk, "reports_on_time", 1)


def _problems_and_warnings(s: _Scope) -> None:
    problems = Problem.objects.filter(_problem_open(s.as_of), kube__in=s.kubes)
    for pk, n in problems.values_list("kube_id").annotate(n=Count("pk")):
        s.add(pk, "problems_open", n)
    warnings = EarlyWarning.objects.filter(_warning_open(s.as_of), kube__in=s.kubes)
    for pk, n in warnings.values_list("kube_id").annotate(n=Count("pk")):
        s.add(pk, "warnings_open", n)


# Which collector gives which codes ("kubes" comes with the groups themselves).
COLLECTORS: list[tuple[Callable[[_Scope], None], frozenset[str]]] = [
    (_members, frozenset({"members", "households"})),
    (_levels, frozenset({*LEVEL_CODES.values(), "level_unassessed"})),
    (_statuses, frozenset(STATUS_CODES.values())),
    (_aid, frozenset({"aid_budgeted", "aid_approved", "aid_paid"})),
    (_cash, frozenset({"revenue", "profit"})),
    (_funds, frozenset({"iks_balance", "fund_outstanding"})),
    (_training, frozenset({"trainings", "members_trained"})),
    (_visits, frozenset({"groups_visited"})),
    (_reports, frozenset({"reports_due", "reports_on_time"})),
    (_problems_and_warnings, frozenset({"problems_open", "warnings_open"})),
]


def _needed(codes: Iterable[str]) -> set[str]:
    """The codes and, for a percentage, its parts."""
    needed = set()
    for code in codes:
        needed.add(code)
        parts = INDICATORS[code].parts
        if parts:
            needed.update(parts)
    return needed


GroupFacts = tuple[int, str, str, int | None, str, dt.date, dt.date]  # pk, name, village, facilitator, status ...
FACTS = ("pk", "name", "village_id", "facilitator_id", "status", "status_since", "created_at", "formed_on")


def _facts(kubes: QuerySet[Kube]) -> list[GroupFacts]:
    """What `_per_group` needs to know of each group, with the day it is counted from (`existing_on`): its formation,
    or the day it was entered (in the office's time zone) when that came first or it is not formed yet."""
    facts: list[GroupFacts] = []
    for *row, created_at, formed_on in kubes.values_list(*FACTS):
        entered = timezone.localdate(created_at)
        facts.append((*row, min(entered, formed_on) if formed_on else entered))
    return facts


def _existed(facts: GroupFacts, day: dt.date) -> bool:
    """The Python form of `existing_on`."""
    _pk, _name, _village, _facilitator, status, since, counted_from = facts
    return counted_from <= day and not (status == Kube.Status.DISSOLVED and since <= day)


def _scope(kubes: QuerySet[Kube], as_of: dt.date, period: Period, facts: list[GroupFacts]) -> _Scope:
    """The scope of one date: the groups of `facts` that existed on as_of, each counted once ("kubes")."""
    scope = _Scope(existing_on(kubes, as_of), as_of, period, defaultdict(dict), defaultdict(dict))
    for fact in facts:
        if not _existed(fact, as_of):
            continue
        pk, name, village, facilitator, status, since, _created = fact
        scope.where[pk] = (name, village)
        scope.facilitators[pk] = facilitator
        scope.status_since[pk] = (status, since)
        scope.per[pk]["kubes"] = 1
    return scope


def _per_group(kubes: QuerySet[Kube], as_of: dt.date, period: Period, codes: Iterable[str]) -> _Scope:
    """The groups that existed on as_of (`where`: name and village), their figures and the ids behind distinct
    counts."""
    scope = _scope(kubes, as_of, period, _facts(existing_on(kubes, as_of)))
    needed = _needed(codes)
    if scope.where:
        for collect, gives in COLLECTORS:
            if gives & needed:
                collect(scope)
    return scope


def per_group(
    kubes: QuerySet[Kube], as_of: dt.date, period: Period, codes: Iterable[str]
) -> tuple[dict[int, tuple[str, str]], PerGroup]:
    """Each group that existed on as_of (name and village) and its own figures: what a group list shows, counted as
    the breakdown counts them."""
    scope = _per_group(kubes, as_of, period, codes)
    return scope.where, scope.per


def _per_group_many(kubes: QuerySet[Kube], dates: list[tuple[dt.date, Period]], codes: Iterable[str]) -> list[_Scope]:
    """`_per_group` for many dates at once (a trend's months): the groups are read once, and a collector with a
    many-dates form (`SERIES`) answers every date in the same queries as one; the others run once per date."""
    facts = _facts(kubes)
    scopes = [_scope(kubes, as_of, period, facts) for as_of, period in dates]
    busy = [scope for scope in scopes if scope.where]
    needed = _needed(codes)
    for collect, gives in COLLECTORS:
        if not gives & needed or not busy:
            continue
        many = SERIES.get(collect)
        if many is not None:
            many(kubes, busy)
        else:
            for scope in busy:
                collect(scope)
    return scopes


# Many dates at once ----------------------------------------------------------------------------------------------
# The same collectors for a list of scopes (one per month of a trend): one grouped query over all the groups in
# `kubes`, each date's figure its own filtered aggregate (SUM(...) FILTER (WHERE <that date's condition>)) with the
# condition the one-date collector uses; a row counts for a date only if its group existed then (`scope.where`).


def _holding(scopes: list[_Scope], pk: int) -> Iterator[tuple[int, _Scope]]:
    """The scopes (with their index) in which the group existed."""
    return ((i, scope) for i, scope in enumerate(scopes) if pk in scope.where)


def _span(scopes: list[_Scope], field: str) -> Q:
    """The rows whose `field` falls in any of the scopes' periods."""
    start = min(scope.period.start for scope in scopes)
    end = max(scope.period.until(scope.as_of) for scope in scopes)
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


def _members_many(kubes: QuerySet[Kube], scopes: list[_Scope]) -> None:
    counts: dict[str, Count] = {}
    for i, scope in enumerate(scopes):
        counts[f"n{i}"] = Count("pk", filter=_member_on(scope.as_of))
        counts[f"h{i}"] = Count("household_id", filter=_member_on(scope.as_of), distinct=True)
    last = max(scope.as_of for scope in scopes)
    members = Membership.objects.filter(kube__in=kubes, joined_on__lte=last)
    for pk, *n in members.values_list("kube_id").annotate(**counts):
        for i, scope in _holding(scopes, pk):
            scope.add(pk, "members", n[2 * i])
            scope.add(pk, "households", n[2 * i + 1])


def _aid_many(kubes: QuerySet[Kube], scopes: list[_Scope]) -> None:
    sums: dict[str, Sum] = {"b": Sum("amount")}
    for i, scope in enumerate(scopes):
        sums[f"a{i}"] = Sum("amount", filter=approved_by(scope.as_of))
        sums[f"p{i}"] = Sum("amount", filter=_between("paid_on", scope.period, scope.as_of))
    for pk, budgeted, *amounts in AidStage.objects.filter(kube__in=kubes).values_list("kube_id").annotate(**sums):
        for i, scope in _holding(scopes, pk):
            scope.add(pk, "aid_budgeted", whole(budgeted))
            scope.add(pk, "aid_approved", whole(amounts[2 * i]))
            scope.add(pk, "aid_paid", whole(amounts[2 * i + 1]))


def _cash_many(kubes: QuerySet[Kube], scopes: list[_Scope]) -> None:
    parts = [_cash_parts(s.period.start, s.period.until(s.as_of)) for s in scopes]
    full = [(i, months) for i, (months, _days) in enumerate(parts) if months is not None]
    if full:
        sums = {f"r{i}": Sum("revenue", filter=months) for i, months in full}
        sums |= {f"p{i}": Sum("profit", filter=months) for i, months in full}
        totals = CashMonthTotal.objects.filter(_span(scopes, "month"), kube__in=kubes).values_list("kube_id")
        for pk, *values in totals.annotate(**sums):
            found = dict(zip(sums, values, strict=True))
            for i, scope in _holding(scopes, pk):
                if f"r{i}" in found:
                    scope.add(pk, "revenue", whole(found[f"r{i}"]))
                    scope.add(pk, "profit", whole(found[f"p{i}"]))
    # The days outside whole months (a month still running): from the entries, each scope its own filtered sum.
    edges = [(i, days) for i, (_months, days) in enumerate(parts) if days is not None]
    if not edges:
        return
    wanted = edges[0][1]
    for _i, days in edges[1:]:
        wanted |= days
    amounts = {f"t{i}": Sum("amount", filter=days) for i, days in edges}
    for query in _cash_queries(CashEntry.objects.filter(wanted, kube__in=kubes)):
        for pk, kind, category, *values in query.annotate(**amounts):
            found = dict(zip(amounts, values, strict=True))
            for i, scope in _holding(scopes, pk):
                if f"t{i}" in found:
                    _add_cash(scope, pk, kind, category, found[f"t{i}"])


def _funds_many(kubes: QuerySet[Kube], scopes: list[_Scope]) -> None:
    iks = {f"t{i}": Sum("amount", filter=Q(entry_date__lte=s.as_of)) for i, s in enumerate(scopes)}
    for pk, kind, *totals in IksEntry.objects.filter(kube__in=kubes).values_list("kube_id", "kind").annotate(**iks):
        for i, scope in _holding(scopes, pk):
            total = whole(totals[i])
            scope.add(pk, "iks_balance", total if kind == IksEntry.Kind.CONTRIBUTION else -total)
    lent = {f"t{i}": Sum("principal", filter=Q(issued_on__lte=s.as_of)) for i, s in enumerate(scopes)}
    for pk, *totals in Loan.objects.filter(kube__in=kubes).values_list("kube_id").annotate(**lent):
        for i, scope in _holding(scopes, pk):
            scope.add(pk, "fund_outstanding", whole(totals[i]))
    back = {
        f"t{i}": Sum("amount", filter=Q(loan__issued_on__lte=s.as_of, paid_on__lte=s.as_of))
        for i, s in enumerate(scopes)
    }
    for pk, *totals in Repayment.objects.filter(loan__kube__in=kubes).values_list("loan__kube_id").annotate(**back):
        for i, scope in _holding(scopes, pk):
            scope.add(pk, "fund_outstanding", -whole(totals[i]))


def _training_many(kubes: QuerySet[Kube], scopes: list[_Scope]) -> None:
    attended = Participant.objects.filter(
        _span(scopes, "training__ends_on"), membership__kube__in=kubes, attended=True
    ).values_list("membership__kube_id", "training_id", "membership_id", "training__ends_on")
    rows = list(attended)
    for scope in scopes:
        until = scope.period.until(scope.as_of)
        trained: dict[int, set[int]] = defaultdict(set)
        for pk, training, membership, ends_on in rows:
            if pk in scope.where and scope.period.start <= ends_on <= until:
                scope.sets[pk].setdefault("trainings", set()).add(training)
                trained[pk].add(membership)
        for pk, members in trained.items():
            scope.add(pk, "members_trained", len(members))


def _visits_many(kubes: QuerySet[Kube], scopes: list[_Scope]) -> None:
    counts = {f"v{i}": Count("pk", filter=_between("visited_on", s.period, s.as_of)) for i, s in enumerate(scopes)}
    visits = Visit.objects.filter(_span(scopes, "visited_on"), kube__in=kubes)
    for pk, *n in visits.values_list("kube_id").annotate(**counts):
        for i, scope in _holding(scopes, pk):
            if n[i]:
                scope.add(pk, "groups_visited", 1)


def _problems_and_warnings_many(kubes: QuerySet[Kube], scopes: list[_Scope]) -> None:
    for model, condition, code in (
        (Problem, _problem_open, "problems_open"),
        (EarlyWarning, _warning_open, "warnings_open"),
    ):
        counts = {f"n{i}": Count("pk", filter=condition(s.as_of)) for i, s in enumerate(scopes)}
        for pk, *n in model.objects.filter(kube__in=kubes).values_list("kube_id").annotate(**counts):
            for i, scope in _holding(scopes, pk):
                scope.add(pk, code, n[i])


# The collectors with a many-dates form; levels, statuses and monthly reports run once per date (no trend shows
# them yet).
SERIES: dict[Callable[[_Scope], None], Callable[[QuerySet[Kube], list[_Scope]], None]] = {
    _members: _members_many,
    _aid: _aid_many,
    _cash: _cash_many,
    _funds: _funds_many,
    _training: _training_many,
    _visits: _visits_many,
    _problems_and_warnings: _problems_and_warnings_many,
}


def _percent(numerator: Value, denominator: Value) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator or 0) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _finish(row: Row, ids: dict[str, set[int]], codes: Iterable[str]) -> None:
    """Distinct counts from their ids, percentages from their parts."""
    for code in codes:
        indicator = INDICATORS[code]
        if indicator.parts:
            row.values[code] = _percent(row.values.get(indicator.parts[0]), row.values.get(indicator.parts[1]))
        elif not indicator.additive:
            row.values[code] = len(ids.get(code, set()))


def breakdown(
    *,
    user: User,
    root: Region,
    as_of: dt.date,
    period: Period,
    codes: Iterable[str] | None = None,
    level: int | None = None,
) -> Breakdown:
    """The figures of `root`'s children and their total, for what the user may see.

    `codes` limits the work to some indicators (all by default); the rows' values hold every indicator, 0 where
    not worked out. `level` gives rows further down (the villages of a regency, for the map) in the same queries;
    the total is the same."""
    wanted = list(codes) if codes is not None else list(INDICATORS)
    rows_are_groups = root.level == Region.Level.VILLAGE
    level = root.level + 1 if level is None or rows_are_groups else level
    scope = _per_group(groups_in(user, root), as_of, period, wanted)
    where, per_group, sets = scope.where, scope.per, scope.sets

    rows: dict[str, Row] = {}
    if rows_are_groups:
        for pk, (name, _village) in sorted(where.items(), key=lambda item: (item[1][0], item[0])):
            rows[str(pk)] = Row(str(pk), name, url=reverse("groups:kube-detail", args=[pk]))
    else:
        below = Region.objects.filter(parent=root)
        if level > root.level + 1:
            below = Region.objects.filter(level=level, code__startswith=f"{root.code}.")
        for code, name in below.order_by("code").values_list("code", "name"):
            rows[code] = Row(code, name, drill=code)
    for row in rows.values():
        row.values = dict.fromkeys(INDICATORS, 0)
    total = Row(root.code, root.name, values=dict.fromkeys(INDICATORS, 0))
    ids: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for pk, (_name, village) in where.items():
        key = str(pk) if rows_are_groups else _region_key(village, level)
        child = rows.get(key)
        for code, value in per_group[pk].items():
            if child is not None:
                child.values[code] = (child.values[code] or 0) + (value or 0)
            total.values[code] = (total.values[code] or 0) + (value or 0)
        for code, members in sets[pk].items():
            ids[key][code] |= members
            ids[root.code][code] |= members
    for row in rows.values():
        _finish(row, ids[row.key], wanted)
    _finish(total, ids[root.code], wanted)
    return Breakdown(root, as_of, period, list(rows.values()), total, rows_are_groups)


# Trends and breakdowns by source ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    month: dt.date  # the first day of the month
    value: Value


def trends(
    *, user: User, root: Region, codes: Iterable[str], months: int = 12, as_of: dt.date | None = None
) -> dict[str, list[Point]]:
    """Each indicator's total month by month, the last `months` months up to as_of's: a stock at each month's end
    (or as_of), a flow over the month. The groups are read once, and every month comes out of the same few grouped
    queries (`_per_group_many`): the cost grows with neither the months nor the groups (levels, statuses and
    monthly reports still cost a query or two per month)."""
    as_of = as_of or timezone.localdate()
    wanted = list(codes)
    last = as_of.replace(day=1)
    firsts = [months_back(last, back) for back in range(months - 1, -1, -1)]
    dates = [(min(month_end(month), as_of), Period(month, month_end(month))) for month in firsts]
    series: dict[str, list[Point]] = {code: [] for code in wanted}
    for month, scope in zip(firsts, _per_group_many(groups_in(user, root), dates, wanted), strict=True):
        total = Row(root.code, root.name, values=dict.fromkeys(INDICATORS, 0))
        ids: dict[str, set[int]] = defaultdict(set)
        for pk in scope.where:
            for code, value in scope.per[pk].items():
                total.values[code] = (total.values[code] or 0) + (value or 0)
            for code, members in scope.sets[pk].items():
                ids[code] |= members
        _finish(total, ids, wanted)
        for code in wanted:
            series[code].append(Point(month, total.values[code]))
    return series


def trend(*, user: User, root: Region, indicator: str, months: int = 12, as_of: dt.date | None = None) -> list[Point]:
    """One indicator's monthly trend (see `trends`)."""
    return trends(user=user, root=root, codes=[indicator], months=months, as_of=as_of)[indicator]


@dataclass(frozen=True)
class AidLine:
    funding_source: str
    label: str
    year: int
    budgeted: int  # every stage planned for the groups of that source and year
    approved: int  # of those, the stages of groups whose business plan was approved by as_of
    paid: int  # paid in the period
    paid_to_date: int  # paid up to as_of


def aid_by_source(*, user: User, root: Region, as_of: dt.date, period: Period) -> list[AidLine]:
    """The aid of the groups in `root` by their cycle's funding source and year (one query)."""
    kubes = existing_on(groups_in(user, root), as_of)
    paid = Q(paid_on__gte=period.start, paid_on__lte=period.until(as_of))
    rows = (
        AidStage.objects.filter(kube__in=kubes)
        .values_list("kube__cycle__funding_source", "kube__cycle__year")
        .annotate(
            b=Sum("amount"),
            a=Sum("amount", filter=approved_by(as_of)),
            p=Sum("amount", filter=paid),
            d=Sum("amount", filter=Q(paid_on__lte=as_of)),
        )
        .order_by("kube__cycle__year", "kube__cycle__funding_source")
    )
    labels = dict(Cycle.FundingSource.choices)
    return [
        AidLine(source, str(labels.get(source, source)), year, whole(b), whole(a), whole(p), whole(d))
        for source, year, b, a, p, d in rows
    ]
