"""Reads that feed the mentoring pages (the caseload, a group's timeline, the problem register, the month's records
of a report, the bina lingkungan records), and what a user may do to a problem or a monthly report now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypedDict

from django.conf import settings
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib import formats
from berdaya.lib.formats import month as month_name
from berdaya.lib.waiting import Effort, Plan, Tally, Waiting, link, one_or_list, run_plan

from .models import EnvironmentPractice, EnvironmentRecord, Meeting, MonthlyReport, Problem, Visit


def previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@dataclass
class CaseloadRow:
    kube: Kube
    last_visit: dt.date | None
    days_since_visit: int | None
    open_problems: int
    escalated_problems: int
    report_missing: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return bool(self.reasons)


def facilitator_caseload(*, user: User, today: dt.date) -> list[CaseloadRow]:
    """The groups a user follows, those that need attention first: no recent visit, open problems, no report."""
    overdue_days = settings.BERDAYA_VISIT_OVERDUE_DAYS
    open_problems = Problem.objects.open().filter(kube=OuterRef("pk"))
    kubes = (
        Kube.objects.visible_to(user)
        .running()
        .select_related("village", "facilitator")
        .annotate(
            last_visit=Subquery(
                Visit.objects.filter(kube=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1]
            ),
            open_problems=Subquery(open_problems.values("kube").annotate(n=Count("pk")).values("n")[:1]),
            escalated_problems=Subquery(
                open_problems.escalated().values("kube").annotate(n=Count("pk")).values("n")[:1]
            ),
        )
    )
    month = previous_month(today)
    reported = set(MonthlyReport.objects.sent().filter(month=month).values_list("facilitator_id", flat=True))
    rows = []
    for kube in kubes:
        last_visit: dt.date | None = kube.last_visit  # type: ignore[attr-defined]
        days = (today - last_visit).days if last_visit else None
        row = CaseloadRow(
            kube=kube,
            last_visit=last_visit,
            days_since_visit=days,
            open_problems=kube.open_problems or 0,  # type: ignore[attr-defined]
            escalated_problems=kube.escalated_problems or 0,  # type: ignore[attr-defined]
            report_missing=kube.facilitator_id is not None and kube.facilitator_id not in reported,
        )
        if days is None:
            row.reasons.append(_("Never visited"))
        elif days > overdue_days:
            row.reasons.append(_("No visit for %(days)d days") % {"days": days})
        if row.open_problems:
            row.reasons.append(_("%(count)d open problem(s)") % {"count": row.open_problems})
        if row.report_missing:
            row.reasons.append(_("Monthly report for %(month)s missing") % {"month": formats.month(month)})
        rows.append(row)
    # Most urgent first: more reasons, then escalated problems, then the longest without a visit.
    rows.sort(
        key=lambda r: (
            -len(r.reasons),
            -r.escalated_problems,
            -(r.days_since_visit if r.days_since_visit is not None else 10**6),
            r.kube.name,
        )
    )
    return rows


@dataclass(frozen=True)
class TimelineEntry:
    day: dt.date
    kind: str  # visit, meeting, problem, resolved, training, environment
    title: str
    url: str


def kube_timeline(*, kube: Kube) -> list[TimelineEntry]:
    """Everything that happened to a group, newest first: visits, meetings, problems, trainings."""
    entries: list[TimelineEntry] = []
    for visit in Visit.objects.filter(kube=kube).only("pk", "visited_on", "purpose"):
        entries.append(TimelineEntry(visit.visited_on, "visit", visit.purpose, visit.get_absolute_url()))
    for record in EnvironmentRecord.objects.filter(kube=kube, visit__isnull=True).only("pk", "recorded_on"):
        # A visit's own record is reached from the visit; one written alone is an entry of its own.
        entries.append(
            TimelineEntry(record.recorded_on, "environment", _("Bina lingkungan"), record.get_absolute_url())
        )
    for meeting in Meeting.objects.filter(kube=kube).only("pk", "held_on", "agenda"):
        entries.append(TimelineEntry(meeting.held_on, "meeting", meeting.agenda, meeting.get_absolute_url()))
    for problem in Problem.objects.filter(kube=kube):
        title = f"{problem.get_category_display()}: {problem.description[:80]}"
        entries.append(TimelineEntry(problem.reported_on, "problem", title, problem.get_absolute_url()))
        if problem.resolved_on:
            entries.append(TimelineEntry(problem.resolved_on, "resolved", title, problem.get_absolute_url()))
    # Trainings through the members' participation, without importing the training app (a sibling of this one).
    trainings = (
        kube.memberships.filter(trainings__isnull=False)
        .order_by()  # a membership's own ordering would make each member's row distinct: one training, once
        .values_list("trainings__training_id", "trainings__training__title", "trainings__training__starts_on")
        .distinct()
    )
    for pk, title, starts_on in trainings:
        entries.append(TimelineEntry(starts_on, "training", title, reverse("training:training-detail", args=[pk])))
    order = {"training": 0, "meeting": 1, "visit": 2, "environment": 3, "problem": 4, "resolved": 5}
    entries.sort(key=lambda e: (e.day, order[e.kind]), reverse=True)
    return entries


# Bina lingkungan -------------------------------------------------------------------------------------------------


def environment_records(*, kube: Kube) -> QuerySet[EnvironmentRecord]:
    """A group's bina lingkungan records, newest first, with the visit each was written on."""
    return EnvironmentRecord.objects.filter(kube=kube).select_related("visit", "by").order_by("-recorded_on", "-pk")


@dataclass(frozen=True)
class PracticeAnswer:
    text: str
    followed: bool


def practice_answers(record: EnvironmentRecord) -> list[PracticeAnswer]:
    """The checklist as it was answered, in the checklist's order; an item retired since still reads by its code."""
    items = {p.code: p for p in EnvironmentPractice.objects.filter(code__in=list(record.practices))}
    codes = sorted(
        record.practices, key=lambda code: (items[code].order, items[code].pk) if code in items else (10**4, 0)
    )
    return [
        PracticeAnswer(str(items[code].text) if code in items else code, bool(record.practices[code])) for code in codes
    ]


@dataclass(frozen=True)
class CashBookWages:
    """The wages the group's cash book holds for a period: after `after` (the previous record's day; None, since the
    book began) up to and including `until`."""

    after: dt.date | None
    until: dt.date
    amount: int


def cash_book_wages(*, kube: Kube, until: dt.date) -> CashBookWages:
    """The cash book's wages since the group's previous bina lingkungan record before `until`, to set beside the
    wages the facilitator typed (the book's wage entries also pay members: the figures are compared, not merged).

    Read through the reverse relation with the category as its stored string: business is a sibling of this app, and
    siblings do not import each other. A reversed wage entry does not count.
    """
    previous = (
        EnvironmentRecord.objects.filter(kube=kube, recorded_on__lt=until)
        .order_by("-recorded_on")
        .values_list("recorded_on", flat=True)
        .first()
    )
    entries = kube.cash_entries.filter(entry_date__lte=until)
    if previous is not None:
        entries = entries.filter(entry_date__gt=previous)
    totals = entries.aggregate(
        paid=Sum("amount", filter=Q(category="wages")),
        reversed=Sum("amount", filter=Q(category="reversal", reverses__category="wages")),
    )
    return CashBookWages(after=previous, until=until, amount=(totals["paid"] or 0) - (totals["reversed"] or 0))


def problem_register(*, user: User, state: str = "open", category: str = "") -> QuerySet[Problem]:
    """Problems of the groups a user may see, the oldest open and most severe first."""
    problems = Problem.objects.visible_to(user).select_related("kube__village")
    if state == "open":
        problems = problems.open()
    elif state == "escalated":
        problems = problems.escalated()
    elif state == "resolved":
        problems = problems.resolved()
    if category:
        problems = problems.filter(category=category)
    # Open problems (no resolved date) first on every database: PostgreSQL would sort the nulls last.
    return problems.order_by(F("resolved_on").asc(nulls_first=True), "-severity", "reported_on", "pk")


def reports_for(*, user: User) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.visible_to(user).select_related("facilitator")


def facilitators_for(*, user: User) -> QuerySet[User]:
    """Facilitators the user may see, with how many running groups each has."""
    if user.is_facilitator:
        facilitators: QuerySet[User] = User.objects.filter(pk=user.pk)
    else:
        facilitators = User.objects.visible_to(user).filter(role=User.Role.FACILITATOR, is_active=True)
    return facilitators.annotate(kube_count=Count("kubes", filter=Q(kubes__status__in=Kube.MENTORED))).order_by(
        "username"
    )


def visits_this_year(*, kube: Kube, today: dt.date) -> int:
    return Visit.objects.filter(kube=kube, visited_on__year=today.year).aggregate(n=Count("pk"))["n"] or 0


def last_visit_of(*, kube: Kube) -> dt.date | None:
    result: dt.date | None = Visit.objects.filter(kube=kube).aggregate(last=Max("visited_on"))["last"]
    return result


def facilitator_kubes(*, facilitator: User, user: User) -> QuerySet[Kube]:
    """The groups of a facilitator that the user may see."""
    return Kube.objects.visible_to(user).filter(facilitator=facilitator).select_related("village")


# The month's records of a monthly report -------------------------------------------------------------------------


class GroupMonth(TypedDict):
    name: str
    status: str
    visits: int
    meetings: int


class VisitLine(TypedDict):
    date: str
    kube: str
    purpose: str


class MonthSummary(TypedDict):
    """The factual part of a monthly report, stored with it (JSON) as it was when last drafted."""

    groups: list[GroupMonth]
    visits: list[VisitLine]
    meetings: int
    problems_new: int
    problems_resolved: int
    problems_open: int


def month_summary(*, facilitator: User, month: dt.date) -> MonthSummary:
    """The month's records of a facilitator's groups, as the report's factual part."""
    end = (month + dt.timedelta(days=32)).replace(day=1)
    kubes = Kube.objects.filter(facilitator=facilitator)
    visits = Visit.objects.filter(kube__in=kubes, visited_on__gte=month, visited_on__lt=end)
    meetings = Meeting.objects.filter(kube__in=kubes, held_on__gte=month, held_on__lt=end)
    problems = Problem.objects.filter(kube__in=kubes)
    groups: list[GroupMonth] = []
    for kube in kubes.order_by("name"):
        groups.append(
            {
                "name": kube.name,
                "status": kube.status,  # its value: the report shows its label in the reader's language
                "visits": sum(1 for v in visits if v.kube_id == kube.pk),
                "meetings": sum(1 for m in meetings if m.kube_id == kube.pk),
            }
        )
    return {
        "groups": groups,
        "visits": [
            {"date": v.visited_on.isoformat(), "kube": v.kube.name, "purpose": v.purpose}
            for v in visits.select_related("kube").order_by("visited_on")
        ],
        "meetings": meetings.count(),
        "problems_new": problems.filter(reported_on__gte=month, reported_on__lt=end).count(),
        "problems_resolved": problems.filter(resolved_on__gte=month, resolved_on__lt=end).count(),
        "problems_open": problems.filter(reported_on__lt=end).exclude(resolved_on__lt=end).count(),
    }


# What may happen now ---------------------------------------------------------------------------------------------


def actions_for(user: User, obj: Problem | MonthlyReport) -> frozenset[str]:
    """What the user may do to a problem or a monthly report now: the role's permissions and the record's state.

    A problem: "update" and "resolve" while it is open, "escalate" (a facilitator, once) while it is open.
    A monthly report: "edit" (write, save, submit) and "refresh" for its own facilitator while it is a draft or
    returned; "acknowledge" and "return" for the Dinas while it awaits review.
    """
    actions: set[str] = set()
    if isinstance(obj, Problem):
        if user.has_perm("mentoring.change_problem") and obj.is_open:
            actions |= {"update", "resolve"}
            # The facilitator passes a problem up to the Dinas; the Dinas handles it.
            if user.is_facilitator and not obj.is_escalated:
                actions.add("escalate")
        return frozenset(actions)
    if obj.facilitator_id == user.pk and obj.is_editable:
        actions.add("edit")
        if user.has_perm("mentoring.add_monthlyreport"):
            actions.add("refresh")
    if user.has_perm("mentoring.review_monthlyreport") and obj.is_awaiting_review:
        actions |= {"acknowledge", "return"}
    return frozenset(actions)


# What waits for the user ----------------------------------------------------------------------------------------


def waiting_for(user: User, *, today: dt.date | None = None) -> list[Waiting]:
    return run_plan(user, lambda tally: plan_waiting(user, tally, today=today))


def plan_waiting(user: User, tally: Tally, *, today: dt.date | None = None) -> Plan:
    """Mentoring work waiting for the user (see berdaya/worklist.py).

    The Dinas: submitted monthly reports to acknowledge or return, open problems escalated to it. A facilitator:
    last month's report not yet submitted (while it mentors a group), reports returned to it, open problems of the
    groups in its care.
    """
    today = today or timezone.localdate()
    reads: list[Plan] = []
    if user.has_perm("mentoring.review_monthlyreport"):
        reads.append(_reports_to_review(user, tally))
    if user.has_perm("mentoring.add_monthlyreport"):
        reads.append(_own_reports(user, tally, today))
    if user.has_perm("mentoring.change_problem"):
        reads.append(_problems(user, tally))
    return lambda: [item for read in reads for item in read()]


def _reports_to_review(user: User, tally: Tally) -> Plan:
    awaiting = MonthlyReport.Status.SUBMITTED  # the queryset form of MonthlyReport.is_awaiting_review
    reports = MonthlyReport.objects.visible_to(user).filter(status=awaiting)
    row = tally.figures(reports, n=("COUNT", "pk"), one=("MIN", "pk"))

    def read() -> list[Waiting]:
        if not row["n"]:
            return []
        listing = link("mentoring:report-list", query=f"status={awaiting}")
        return [
            Waiting(
                label=ngettext_lazy(
                    "%(count)s monthly report to acknowledge or return",
                    "%(count)s monthly reports to acknowledge or return",
                    "count",
                ),
                count=row["n"],
                url=one_or_list(row["n"], row["one"], "mentoring:report-detail", listing),
                effort=Effort.INSTITUTION,
                kind="mentoring.review",
            )
        ]

    return read


def _own_reports(user: User, tally: Tally, today: dt.date) -> Plan:
    """Whether the facilitator mentors a group and has sent last month's report; the reports returned to it."""
    month = previous_month(today)
    mine = MonthlyReport.objects.visible_to(user).filter(facilitator_id=user.pk)
    # The queryset form of MonthlyReport.is_editable for a report the Dinas has seen: returned.
    returned = tally.figures(mine.filter(status=MonthlyReport.Status.RETURNED), n=("COUNT", "pk"), one=("MIN", "pk"))
    mentors = tally.exists(Kube.objects.visible_to(user).running())
    sent = tally.exists(mine.sent().filter(month=month))
    draft = tally.figures(mine.filter(month=month), one=("MIN", "pk"))

    def read() -> list[Waiting]:
        found = []
        listing = link("mentoring:report-list")
        if returned["n"]:
            found.append(
                Waiting(
                    label=ngettext_lazy(
                        "%(count)s monthly report returned to you for correction",
                        "%(count)s monthly reports returned to you for correction",
                        "count",
                    ),
                    count=returned["n"],
                    url=one_or_list(returned["n"], returned["one"], "mentoring:report-detail", listing),
                    effort=Effort.INSTITUTION,
                    kind="mentoring.returned",
                    urgent=True,
                )
            )
        if mentors["any"] and not sent["any"]:
            found.append(
                Waiting(
                    label=ngettext_lazy(
                        "%(count)s monthly report to submit: %(month)s",
                        "%(count)s monthly reports to submit: %(month)s",
                        "count",
                    ),
                    count=1,
                    url=one_or_list(1, draft["one"], "mentoring:report-detail", listing),
                    effort=Effort.INSTITUTION,
                    kind="mentoring.report",
                    params=(("month", month_name(month)),),
                )
            )
        return found

    return read


def _problems(user: User, tally: Tally) -> Plan:
    """A facilitator: the open problems of its groups. The Dinas: the open problems escalated to it."""
    problems = Problem.objects.visible_to(user)
    if user.is_facilitator:
        problems, state = problems.open(), "open"
        label = ngettext_lazy(
            "%(count)s open problem in your groups",
            "%(count)s open problems in your groups",
            "count",
        )
    else:
        problems, state = problems.escalated(), "escalated"
        label = ngettext_lazy(
            "%(count)s open problem escalated to the Dinas",
            "%(count)s open problems escalated to the Dinas",
            "count",
        )
    row = tally.figures(problems, n=("COUNT", "pk"), one=("MIN", "pk"), worst=("MAX", "severity"))

    def read() -> list[Waiting]:
        if not row["n"]:
            return []
        listing = link("mentoring:problem-list", query=f"state={state}")
        return [
            Waiting(
                label=label,
                count=row["n"],
                url=one_or_list(row["n"], row["one"], "mentoring:problem-detail", listing),
                effort=Effort.INSTITUTION,
                kind=f"mentoring.{state}",
                urgent=row["worst"] == Problem.Severity.HIGH,
            )
        ]

    return read
